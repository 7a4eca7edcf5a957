// End to end: real agents on 127.0.0.1 (ephemeral ports) measuring with the real
// liv-measure in child processes.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <thread>

#include "tests/device-agent/agent_test_util.h"

namespace nas::agent {
namespace {

using namespace testing;
using std::chrono::seconds;

MeasureResult Measure(DeviceAgent::Stub& stub, const MeasureRequest& request,
                      grpc::Status* status_out = nullptr, const std::string& token = "") {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  MeasureResult result;
  grpc::Status status = stub.Measure(&context, request, &result);
  if (status_out != nullptr) *status_out = status;
  else EXPECT_TRUE(status.ok()) << status.error_message();
  return result;
}

HealthStatus Health(DeviceAgent::Stub& stub, grpc::Status* status_out = nullptr,
                    const std::string& token = "") {
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  HealthStatus health;
  grpc::Status status = stub.Health(&context, HealthRequest(), &health);
  if (status_out != nullptr) *status_out = status;
  return health;
}

TEST(AgentE2eTest, DescribesTheDevice) {
  RunningAgent agent = StartAgent();
  ASSERT_NE(agent.stub, nullptr);
  grpc::ClientContext context;
  DeviceDescription d;
  ASSERT_TRUE(agent.stub->Describe(&context, DescribeRequest(), &d).ok());
  EXPECT_FALSE(d.cpu_model().empty());
  EXPECT_GE(d.logical_cpus(), 1u);
  EXPECT_GE(d.physical_cores(), 1u);
  EXPECT_FALSE(d.clusters().empty());
  EXPECT_FALSE(d.kernel_path().empty());
  EXPECT_GT(d.total_memory_bytes(), 0u);
  EXPECT_FALSE(d.os().empty());
  EXPECT_EQ(d.agent_version(), "0.1.0");
  EXPECT_EQ(d.protocol_version(), 1u);
  EXPECT_EQ(d.runner(), "local");
  EXPECT_NE(d.runtime_build().find("version"), std::string::npos);
}

TEST(AgentE2eTest, MeasuresASmallSpecWithSaneStatistics) {
  RunningAgent agent = StartAgent();
  ASSERT_NE(agent.stub, nullptr);
  MeasureRequest request = SmallRequest("conv_only.textproto");
  MeasureProtocol* p = request.mutable_protocol();
  p->set_min_repetitions(6);
  p->set_max_repetitions(10);
  p->set_max_seconds_per_point(20);
  p->add_decode_depths(64);
  request.set_request_id("small-1");
  const MeasureResult r = Measure(*agent.stub, request);
  ASSERT_EQ(r.outcome(), MeasureResult::OK) << r.message();
  EXPECT_EQ(r.request_id(), "small-1");
  EXPECT_EQ(r.protocol_version(), 1u);
  ASSERT_EQ(r.prefill_size(), 1);
  ASSERT_EQ(r.decode_size(), 2);
  auto check = [](const Summary& s, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_GT(s.median(), 0);
    EXPECT_LE(s.p10(), s.median());
    EXPECT_LE(s.median(), s.p90());
    EXPECT_GE(s.repetitions(), 6u);
    EXPECT_LE(s.repetitions(), 10u);
    EXPECT_LE(s.ci95_low(), s.median());
    EXPECT_GE(s.ci95_high(), s.median());
  };
  check(r.prefill(0).time_ms(), "prefill");
  check(r.decode(0).ms_per_token(), "decode 0");
  check(r.decode(1).ms_per_token(), "decode 64");
  for (const auto& d : r.decode()) EXPECT_EQ(d.bound_met(), d.bound_reason().empty());
  EXPECT_GE(r.peak_memory_bytes(), r.weight_bytes());
  EXPECT_NEAR(double(r.peak_memory_bytes()) / r.predicted_peak_memory_bytes(), 1.0, 0.10);
  EXPECT_GT(r.finished_unix_ms(), r.started_unix_ms());
  EXPECT_GE(r.queue_wait_ms(), 0);
  EXPECT_FALSE(r.liv_measure_json().empty());
}

TEST(AgentE2eTest, FailuresBecomeOutcomesAndTheAgentKeepsServing) {
  RunningAgent agent = StartAgent();
  ASSERT_NE(agent.stub, nullptr);
  // Over the memory cap: liv-measure predicts ~190 MB for conv_only.
  MeasureRequest oom = SmallRequest("conv_only.textproto");
  oom.set_memory_cap_bytes(50 << 20);
  MeasureResult r = Measure(*agent.stub, oom);
  EXPECT_EQ(r.outcome(), MeasureResult::OUT_OF_MEMORY) << r.message();
  EXPECT_NE(r.message().find("exceeds the memory cap"), std::string::npos) << r.message();
  EXPECT_EQ(Measure(*agent.stub, SmallRequest()).outcome(), MeasureResult::OK);

  // A deadline too short for a long prompt.
  MeasureRequest slow = SmallRequest("conv_only.textproto", 30);
  slow.mutable_protocol()->set_prompt_lengths(0, 2048);
  slow.set_deadline_seconds(1);
  r = Measure(*agent.stub, slow);
  EXPECT_EQ(r.outcome(), MeasureResult::TIMEOUT) << r.message();
  EXPECT_EQ(r.child_signal(), SIGKILL);
  EXPECT_EQ(Measure(*agent.stub, SmallRequest()).outcome(), MeasureResult::OK);

  // A child killed by a signal while it measures.
  std::promise<MeasureResult> crashed;
  std::thread caller([&] { crashed.set_value(Measure(*agent.stub, SmallRequest("conv_only.textproto", 200))); });
  int64_t pid = 0;
  for (int i = 0; i < 500 && pid == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pid = Health(*agent.stub).in_flight_child_pid();
  }
  ASSERT_GT(pid, 0);
  kill(static_cast<pid_t>(pid), SIGSEGV);
  r = crashed.get_future().get();
  caller.join();
  EXPECT_EQ(r.outcome(), MeasureResult::CRASHED) << r.message();
  EXPECT_NE(r.message().find("signal 11"), std::string::npos) << r.message();
  EXPECT_EQ(Measure(*agent.stub, SmallRequest()).outcome(), MeasureResult::OK);
  EXPECT_EQ(Health(*agent.stub).completed(), 6u);
}

TEST(AgentE2eTest, MalformedRequestsAreInvalidArgumentNamingTheField) {
  RunningAgent agent = StartAgent();
  ASSERT_NE(agent.stub, nullptr);
  grpc::Status status;
  Measure(*agent.stub, MeasureRequest(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "model: set spec, preset or gguf");

  MeasureRequest bad = SmallRequest();
  bad.mutable_spec()->mutable_layers(1)->mutable_attention()->set_num_kv_heads(3);
  Measure(*agent.stub, bad, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("spec: layers[1].attention.num_kv_heads: 3", 0), 0u)
      << status.error_message();

  bad = SmallRequest();
  bad.mutable_protocol()->set_prompt_lengths(0, 0);
  Measure(*agent.stub, bad, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "protocol.prompt_lengths[0]: 0 is not in [1, 32768]");
  EXPECT_EQ(Health(*agent.stub).completed(), 0u);  // nothing reached the queue
}

TEST(AgentE2eTest, ConcurrentMeasurementsNeverOverlap) {
  RunningAgent agent = StartAgent();
  ASSERT_NE(agent.stub, nullptr);
  constexpr int kCalls = 8;
  std::vector<std::future<MeasureResult>> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      MeasureRequest r = SmallRequest();
      r.set_request_id("call-" + std::to_string(i));
      return Measure(*agent.stub, r);
    }));
  }
  std::vector<MeasureResult> results;
  for (auto& c : calls) results.push_back(c.get());
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) {
    return a.started_unix_ms() < b.started_unix_ms();
  });
  double waited = 0;
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(results[i].outcome(), MeasureResult::OK) << results[i].message();
    if (i > 0) {
      EXPECT_LE(results[i - 1].finished_unix_ms(), results[i].started_unix_ms())
          << results[i - 1].request_id() << " overlaps " << results[i].request_id();
    }
    waited = std::max(waited, results[i].queue_wait_ms());
  }
  EXPECT_GT(waited, 0);  // someone queued
}

TEST(AgentE2eTest, ARepeatedRequestIdIsMeasuredOnce) {
  RunningAgent agent = StartAgent();
  ASSERT_NE(agent.stub, nullptr);
  MeasureRequest request = SmallRequest("tiny_hybrid.textproto", 3);
  request.set_request_id("candidate-abc/laptop/v1");
  // Two callers at once (a coordinator retrying, or restarted) share one measurement...
  auto first = std::async(std::launch::async, [&] { return Measure(*agent.stub, request); });
  auto second = std::async(std::launch::async, [&] { return Measure(*agent.stub, request); });
  const MeasureResult a = first.get(), b = second.get();
  EXPECT_EQ(a.outcome(), MeasureResult::OK) << a.message();
  EXPECT_EQ(a.started_unix_ms(), b.started_unix_ms());
  EXPECT_EQ(Health(*agent.stub).completed(), 1u);
  // ...and a later caller gets the stored result without measuring again.
  const MeasureResult c = Measure(*agent.stub, request);
  EXPECT_EQ(c.started_unix_ms(), a.started_unix_ms());
  EXPECT_EQ(c.liv_measure_json(), a.liv_measure_json());
  EXPECT_EQ(Health(*agent.stub).completed(), 1u);
  // The id names that request: reusing it for another one is refused.
  MeasureRequest other = request;
  other.set_seed(99);
  grpc::Status status;
  Measure(*agent.stub, other, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "request_id: \"candidate-abc/laptop/v1\" was already used for a different request");
}

TEST(AgentE2eTest, TokenIsRequiredWhenConfigured) {
  AgentOptions options = LocalOptions();
  options.token = "s3cret";
  RunningAgent agent = StartAgent(options);
  ASSERT_NE(agent.stub, nullptr);
  grpc::Status status;
  Health(*agent.stub, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("requires a token"), std::string::npos);
  Health(*agent.stub, &status, "wrong");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  Measure(*agent.stub, SmallRequest(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Health(*agent.stub, &status, "s3cret").serving());
  EXPECT_TRUE(status.ok());
  const MeasureResult r = Measure(*agent.stub, SmallRequest(), &status, "s3cret");
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(r.outcome(), MeasureResult::OK);
}

TEST(AgentE2eTest, RefusesNonLoopbackAddressesWithoutTokenOrTls) {
  AgentOptions options = LocalOptions();
  options.listen = "0.0.0.0:0";
  auto server = AgentServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("is not a loopback address"), std::string::npos);
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:1"));
}

TEST(AgentE2eTest, OversizedRequestsAreRejected) {
  AgentOptions options = LocalOptions();
  options.max_request_bytes = 1024;
  RunningAgent agent = StartAgent(options);
  ASSERT_NE(agent.stub, nullptr);
  MeasureRequest big = SmallRequest();
  big.set_request_id(std::string(4096, 'x'));
  grpc::Status status;
  Measure(*agent.stub, big, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

#ifdef NAS_AARCH64_LIV_MEASURE
TEST(AgentE2eTest, QemuRunnerMeasuresAnArm64Build) {
  AgentOptions options = LocalOptions();
  options.runner.kind = "qemu";
  options.runner.binary = NAS_AARCH64_LIV_MEASURE;
  RunningAgent agent = StartAgent(options);
  ASSERT_NE(agent.stub, nullptr);
  grpc::ClientContext context;
  DeviceDescription d;
  ASSERT_TRUE(agent.stub->Describe(&context, DescribeRequest(), &d).ok());
  EXPECT_EQ(d.architecture(), "aarch64");
  EXPECT_EQ(d.runner(), "qemu: qemu-aarch64");
  MeasureRequest request = SmallRequest();
  request.mutable_protocol()->set_prompt_lengths(0, 8);
  request.mutable_protocol()->set_decode_tokens(2);
  const MeasureResult r = Measure(*agent.stub, request);
  ASSERT_EQ(r.outcome(), MeasureResult::OK) << r.message();
  EXPECT_EQ(r.kernel_path(), "scalar");
  EXPECT_GE(r.peak_memory_bytes(), r.weight_bytes());
  EXPECT_NEAR(double(r.peak_memory_bytes()) / r.predicted_peak_memory_bytes(), 1.0, 0.10);
}
#endif

}  // namespace
}  // namespace nas::agent
