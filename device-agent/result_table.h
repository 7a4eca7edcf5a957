// Human-readable views of the agent's messages for the command line: a device
// description, and a measurement result as a table (one row per prompt length and decode
// depth with median, p10, p90, the 95% interval and whether its bound was met).
#pragma once

#include <string>

#include "proto/device_agent.pb.h"

namespace nas::agent {

std::string FormatDescription(const DeviceDescription& d);
std::string FormatResult(const MeasureResult& r);

}  // namespace nas::agent
