// Human-readable views of the agent's messages for the command line: a device
// description, and a measurement result as a table (one row per prompt length and decode
// depth with median, p10, p90, the 95% interval and whether its bound was met).
#pragma once

#include <string>
#include <vector>

#include "proto/device_agent.pb.h"

namespace nas::agent {

std::string FormatDescription(const DeviceDescription& d);
std::string FormatResult(const MeasureResult& r);

}  // namespace nas::agent

namespace nas::agent {

// For repeated measurements of one model: per prompt length and decode depth, the spread
// of the medians (max / min - 1) and whether the intervals are honest — every call that
// says its bound was met must have its median inside the interval of every other such
// call. A line per point, then a verdict.
std::string FormatConsistency(const std::vector<MeasureResult>& results);

}  // namespace nas::agent
