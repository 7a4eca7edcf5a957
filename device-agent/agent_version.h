// Versions of the device agent and of its measurement protocol. The protocol version
// changes whenever the meaning of a measurement changes (statistics, defaults, outcome
// rules); every MeasureResult records the version that produced it.
#pragma once

#include <cstdint>

namespace nas::agent {

inline constexpr char kAgentVersion[] = "0.1.0";
inline constexpr uint32_t kProtocolVersion = 1;

}  // namespace nas::agent
