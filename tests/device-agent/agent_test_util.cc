#include "tests/device-agent/agent_test_util.h"

#include <gtest/gtest.h>

#include "liv/model/spec_source.h"

namespace nas::agent::testing {

std::string SpecPath(const std::string& name) {
  return std::string(NAS_TEST_DATA_DIR) + "/specs/" + name;
}

AgentOptions LocalOptions() {
  AgentOptions options;
  options.listen = "127.0.0.1:0";
  options.runner.kind = "local";
  options.runner.binary = NAS_LIV_MEASURE_BIN;
  return options;
}

std::unique_ptr<DeviceAgent::Stub> Connect(const std::string& address) {
  return DeviceAgent::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

RunningAgent StartAgent(AgentOptions options) {
  RunningAgent agent;
  auto server = AgentServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return agent;
  agent.server = std::move(server).value();
  agent.stub = Connect(agent.server->address());
  return agent;
}

MeasureRequest SmallRequest(const std::string& spec_file, uint32_t repetitions) {
  MeasureRequest r;
  auto spec = liv::LoadArchSpec(SpecPath(spec_file));
  EXPECT_TRUE(spec.ok()) << spec.status();
  *r.mutable_spec() = *spec;
  MeasureProtocol* p = r.mutable_protocol();
  p->add_prompt_lengths(32);
  p->add_decode_depths(0);
  p->set_decode_tokens(4);
  p->set_threads(1);
  p->set_warmups(0);
  p->set_min_repetitions(repetitions);
  p->set_max_repetitions(repetitions);
  p->set_max_batch(64);
  r.set_deadline_seconds(120);
  return r;
}

}  // namespace nas::agent::testing
