// Describes the device the agent measures: CPU (model, logical CPUs, physical cores,
// clusters by maximum frequency, ISA features), memory, OS, thermal sensors, and the
// measuring binary's build and kernel path. CPU and build facts come from the measuring
// binary itself (`liv-measure --describe`, run through the runner), so they describe the
// target even when it is a phone behind adb or an emulated ARM64 CPU. Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "device-agent/runner.h"
#include "proto/device_agent.pb.h"

namespace nas::agent {

// Runs the measuring binary's --describe through the runner and fills the description;
// host facts (memory, OS, sensors, clusters) are read locally for local and qemu runners.
absl::StatusOr<DeviceDescription> DescribeDevice(const Runner& runner,
                                                 const std::string& device_name);

}  // namespace nas::agent
