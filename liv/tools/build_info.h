// Provenance recorded with every measurement: how this binary was built (compiler, build
// type, target architecture), the kernel path it dispatches to, and the CPU it runs on.
// Stateless; thread-safe.
#pragma once

#include "nlohmann/json.hpp"

namespace nas::liv {

// Version of the runtime and of the liv-measure JSON schema.
inline constexpr char kLivVersion[] = "0.1.0";
inline constexpr char kMeasureSchema[] = "liv-measure/1";

nlohmann::json BuildInfoJson();  // compiler, build type, architecture, version
nlohmann::json CpuInfoJson();    // model name, logical CPUs, physical cores, ISA features

// What `liv-measure --describe` prints: build, CPU, the kernel path dispatch picks, total
// memory and OS of the machine it runs on (so a remote or emulated target describes itself).
nlohmann::json DescribeDeviceJson();

}  // namespace nas::liv
