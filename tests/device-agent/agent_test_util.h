// Helpers for end-to-end tests: start a real agent on 127.0.0.1 with an ephemeral port,
// connect a client, and build small measurement requests.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "device-agent/agent_server.h"
#include "proto/device_agent.grpc.pb.h"

namespace nas::agent::testing {

AgentOptions LocalOptions();

struct RunningAgent {
  std::unique_ptr<AgentServer> server;
  std::unique_ptr<DeviceAgent::Stub> stub;
};

// Starts an in-process agent (fails the test on error).
RunningAgent StartAgent(AgentOptions options = LocalOptions());

std::unique_ptr<DeviceAgent::Stub> Connect(const std::string& address);

// A request for a spec under tests/data/specs with a short, fixed protocol.
MeasureRequest SmallRequest(const std::string& spec_file = "tiny_hybrid.textproto",
                            uint32_t repetitions = 1);

std::string SpecPath(const std::string& name);

}  // namespace nas::agent::testing
