// A quick look at the fleet for `star status`: each agent's Health, asked concurrently
// with a short deadline, as one line ("serving, queue 0, measuring <id> for 3.2 s",
// "unreachable: ..."). Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "star/fleet.h"

namespace nas::star {

struct AgentHealth {
  AgentAddress address;
  bool reachable = false;
  std::string detail;
};

std::vector<AgentHealth> ProbeAgents(const std::vector<AgentAddress>& agents,
                                     std::chrono::milliseconds deadline);

}  // namespace nas::star
