// Simulated measurements: deterministic figures from the cost model, the same whether they
// come from the in-process FakeAgent or from real device agents (child processes) running
// star-test-measure; and the agent processes themselves (start, crash, stop, no leftovers).
#include "tests/star/simulated_measurement.h"

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <thread>

#include "device-agent/agent_version.h"
#include "device-agent/measurer.h"
#include "device-agent/request_validation.h"
#include "liv/model/lfm2_presets.h"
#include "liv/model/spec_source.h"
#include "proto/device_agent.grpc.pb.h"
#include "tests/star/agent_processes.h"
#include "tests/star/fake_agent.h"

namespace nas::star::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

ArchSpec Spec(const std::string& file) {
  auto spec = liv::LoadArchSpec(std::string(NAS_TEST_DATA_DIR) + "/specs/" + file);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : ArchSpec();
}

// A short protocol, as the device-agent tests use.
agent::MeasureRequest SmallRequest(const std::string& file, const std::string& id) {
  agent::MeasureRequest r;
  *r.mutable_spec() = Spec(file);
  agent::MeasureProtocol* p = r.mutable_protocol();
  p->add_prompt_lengths(32);
  p->add_prompt_lengths(128);
  p->add_decode_depths(0);
  p->add_decode_depths(256);
  p->set_decode_tokens(4);
  p->set_threads(1);
  p->set_warmups(0);
  p->set_min_repetitions(3);
  p->set_max_repetitions(3);
  p->set_max_batch(64);
  r.set_deadline_seconds(120);
  r.set_request_id(id);
  return r;
}

// The figures of a result, without its provenance (times, child, thermal, raw report).
agent::MeasureResult FiguresOf(agent::MeasureResult r) {
  r.clear_thermal_before();
  r.clear_thermal_after();
  r.clear_thermal_wait_seconds();
  r.clear_queue_wait_ms();
  r.clear_started_unix_ms();
  r.clear_finished_unix_ms();
  r.clear_liv_measure_json();
  r.clear_child_exit_code();
  r.clear_child_signal();
  return r;
}

void ExpectEqualMessages(const google::protobuf::Message& expected,
                         const google::protobuf::Message& actual) {
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(expected, actual)) << diff;
}

std::unique_ptr<agent::DeviceAgent::Stub> Connect(const std::string& address) {
  return agent::DeviceAgent::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

grpc::Status Measure(agent::DeviceAgent::Stub& stub, const agent::MeasureRequest& request,
                     agent::MeasureResult* result, int seconds = 60) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return stub.Measure(&context, request, result);
}

std::string TempPath(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto path = std::filesystem::temp_directory_path() /
                    (std::string("star-") + info->name() + "-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove(path);
  return path.string();
}

TEST(SimulatedMeasurementTest, IsDeterministicAndDistinctPerArchitecture) {
  const agent::MeasureProtocol protocol = SmallRequest("tiny_hybrid.textproto", "").protocol();
  const ArchSpec hybrid = Spec("tiny_hybrid.textproto"), conv = Spec("conv_only.textproto");
  const agent::MeasureResult a = SimulatedMeasureResult(hybrid, protocol, "f32");
  const agent::MeasureResult again = SimulatedMeasureResult(hybrid, protocol, "f32");
  const agent::MeasureResult b = SimulatedMeasureResult(conv, protocol, "f32");
  ExpectEqualMessages(a, again);
  EXPECT_FALSE(MessageDifferencer::Equals(a, b));

  for (const agent::MeasureResult* r : {&a, &b}) {
    EXPECT_EQ(r->outcome(), agent::MeasureResult::OK);
    EXPECT_EQ(r->protocol_version(), agent::kProtocolVersion);
    ASSERT_EQ(r->prefill_size(), 2);
    ASSERT_EQ(r->decode_size(), 2);
    EXPECT_EQ(r->prefill(0).prompt_length(), 32u);
    EXPECT_EQ(r->prefill(1).prompt_length(), 128u);
    EXPECT_EQ(r->decode(0).depth(), 0u);
    EXPECT_EQ(r->decode(1).depth(), 256u);
    EXPECT_GT(r->parameters(), 0u);
    EXPECT_GT(r->weight_bytes(), 0u);
    EXPECT_GE(r->peak_memory_bytes(), r->weight_bytes());
    EXPECT_EQ(r->peak_memory_bytes(), r->predicted_peak_memory_bytes());
    for (const agent::PrefillStats& p : r->prefill()) {
      EXPECT_TRUE(p.bound_met());
      const agent::Summary& t = p.time_ms();
      EXPECT_GT(t.median(), 0);
      EXPECT_LT(t.p10(), t.median());
      EXPECT_GT(t.p90(), t.median());
      EXPECT_LE(t.min(), t.p10());
      EXPECT_GE(t.max(), t.p90());
      EXPECT_LT(t.ci95_low(), t.median());
      EXPECT_GT(t.ci95_high(), t.median());
      EXPECT_EQ(t.repetitions(), 3u);
      EXPECT_DOUBLE_EQ(p.tokens_per_s().median(), p.prompt_length() * 1000.0 / t.median());
    }
    for (const agent::DecodeStats& d : r->decode()) {
      EXPECT_TRUE(d.bound_met());
      EXPECT_GT(d.ms_per_token().median(), 0);
      EXPECT_GT(d.ms_per_token().stddev(), 0);
      EXPECT_DOUBLE_EQ(d.tokens_per_s().median(), 1000.0 / d.ms_per_token().median());
    }
    // Longer prompts take longer; deeper caches decode slower.
    EXPECT_GT(r->prefill(1).time_ms().median(), r->prefill(0).time_ms().median());
    EXPECT_GE(r->decode(1).ms_per_token().median(), r->decode(0).ms_per_token().median());
  }
  EXPECT_NE(a.prefill(0).time_ms().median(), b.prefill(0).time_ms().median());
  EXPECT_NE(a.decode(0).ms_per_token().median(), b.decode(0).ms_per_token().median());
  EXPECT_NE(a.peak_memory_bytes(), b.peak_memory_bytes());
  // Attention caches grow with depth.
  EXPECT_GT(a.decode(1).ms_per_token().median(), a.decode(0).ms_per_token().median());

  // Smaller weights decode faster.
  const agent::MeasureResult q4 = SimulatedMeasureResult(hybrid, protocol, "q4_0");
  EXPECT_LT(q4.weight_bytes(), a.weight_bytes());
  EXPECT_LT(q4.decode(0).ms_per_token().median(), a.decode(0).ms_per_token().median());
}

TEST(SimulatedMeasurementTest, InvalidSpecsAndWeightTypesAreInvalid) {
  ArchSpec broken = Spec("tiny_hybrid.textproto");
  broken.set_d_model(0);
  EXPECT_EQ(SimulatedMeasureResult(broken, {}, "f32").outcome(), agent::MeasureResult::INVALID);
  EXPECT_EQ(SimulatedLivMeasureJson(broken, {}, "f32"), "");
  const agent::MeasureResult r = SimulatedMeasureResult(Spec("tiny_hybrid.textproto"), {}, "f7");
  EXPECT_EQ(r.outcome(), agent::MeasureResult::INVALID);
  EXPECT_NE(r.message().find("weight_type"), std::string::npos) << r.message();
}

TEST(SimulatedMeasurementTest, DefaultsAreTheAgents) {
  agent::MeasureProtocol partial;
  partial.add_decode_depths(7);
  partial.set_min_repetitions(40);
  for (const agent::MeasureProtocol& p : {agent::MeasureProtocol(), partial}) {
    ExpectEqualMessages(agent::EffectiveProtocol(p), SimulatedEffectiveProtocol(p));
  }
  const agent::MeasureResult r = SimulatedMeasureResult(Spec("tiny_hybrid.textproto"), {}, "");
  ASSERT_EQ(r.prefill_size(), 2);
  EXPECT_EQ(r.prefill(1).prompt_length(), 4096u);
  ASSERT_EQ(r.decode_size(), 2);
  EXPECT_EQ(r.decode(1).depth(), 4096u);
  EXPECT_EQ(r.prefill(0).time_ms().repetitions(), 6u);
}

// The agent's parser turns the simulated liv-measure/1 report into exactly the figures.
TEST(SimulatedMeasurementTest, TheAgentParsesTheJsonIntoTheSameFigures) {
  for (const std::string file : {"tiny_hybrid.textproto", "attention_only.textproto"}) {
    SCOPED_TRACE(file);
    for (bool defaults : {false, true}) {
      agent::MeasureRequest request = SmallRequest(file, "id-" + file);
      if (defaults) request.clear_protocol();
      auto validated = agent::ValidateMeasureRequest(request, agent::AgentLimits{});
      ASSERT_TRUE(validated.ok()) << validated.status();
      agent::ChildResult child;
      child.exit_code = 0;
      child.out = SimulatedLivMeasureJson(request.spec(), request.protocol(), "");
      const agent::MeasureResult parsed = agent::ResultFromChild(*validated, child);
      ASSERT_EQ(parsed.outcome(), agent::MeasureResult::OK) << parsed.message();
      agent::MeasureResult expected =
          SimulatedMeasureResult(request.spec(), request.protocol(), "");
      expected.set_request_id(request.request_id());
      ExpectEqualMessages(expected, FiguresOf(parsed));
    }
  }
}

TEST(SimulatedMeasurementTest, FakeAgentAnswersWithTheSimulatedFigures) {
  FakeAgent fake;
  auto stub = Connect(fake.address());
  agent::MeasureRequest request;
  request.set_preset("lfm2-350m");
  request.set_request_id("preset-1");
  agent::MeasureResult result;
  ASSERT_TRUE(Measure(*stub, request, &result).ok());
  auto preset = liv::PresetArchSpec("lfm2-350m");
  ASSERT_TRUE(preset.ok());
  agent::MeasureResult expected = SimulatedMeasureResult(*preset, {}, "");
  expected.set_request_id("preset-1");
  ExpectEqualMessages(expected, result);

  const agent::MeasureRequest small = SmallRequest("conv_only.textproto", "small-1");
  ASSERT_TRUE(Measure(*stub, small, &result).ok());
  expected = SimulatedMeasureResult(small.spec(), small.protocol(), "");
  expected.set_request_id("small-1");
  ExpectEqualMessages(expected, result);

  agent::MeasureRequest capped = small;
  capped.set_memory_cap_bytes(1000);
  ASSERT_TRUE(Measure(*stub, capped, &result).ok());
  EXPECT_EQ(result.outcome(), agent::MeasureResult::OUT_OF_MEMORY);
  EXPECT_EQ(result.request_id(), "small-1");

  request.set_preset("lfm2-9000m");
  grpc::Status status = Measure(*stub, request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(fake.calls(), 4u);
}

TEST(AgentProcessesTest, RealAgentsMeasureWithTheSimulatedBinary) {
  const std::string log = TempPath("measure.log");
  AgentProcessOptions options;
  options.measure_log = log;
  auto agents = AgentProcesses::Start(2, options);
  ASSERT_TRUE(agents.ok()) << agents.status();
  ASSERT_EQ((*agents)->size(), 2);
  EXPECT_NE((*agents)->address(0), (*agents)->address(1));
  const std::vector<pid_t> pids = {(*agents)->pid(0), (*agents)->pid(1)};

  auto stub0 = Connect((*agents)->address(0));
  auto stub1 = Connect((*agents)->address(1));
  {
    grpc::ClientContext context;
    agent::DeviceDescription description;
    ASSERT_TRUE(stub1->Describe(&context, agent::DescribeRequest(), &description).ok());
    EXPECT_EQ(description.device_name(), "agent1");
  }

  const agent::MeasureRequest request = SmallRequest("tiny_hybrid.textproto", "e2e-1");
  agent::MeasureResult result;
  grpc::Status status = Measure(*stub0, request, &result);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(result.outcome(), agent::MeasureResult::OK)
      << result.message() << "\n" << (*agents)->stderr_text(0);
  agent::MeasureResult expected =
      SimulatedMeasureResult(request.spec(), request.protocol(), request.weight_type());
  expected.set_request_id("e2e-1");
  ExpectEqualMessages(expected, FiguresOf(result));
  EXPECT_EQ(result.child_exit_code(), 0);
  EXPECT_FALSE(result.liv_measure_json().empty());

  const std::string key = SimulatedSpecKey(request.spec());
  MeasureLog measured = ReadMeasureLog(log);
  EXPECT_EQ(measured.total_started(), 1);
  EXPECT_EQ(measured.total_done(), 1);
  EXPECT_EQ(measured.started[key], 1);
  EXPECT_EQ(measured.done[key], 1);

  // A crashed agent is unreachable; the other one still measures.
  (*agents)->Kill(0);
  EXPECT_FALSE((*agents)->running(0));
  EXPECT_FALSE(ProcessAlive(pids[0]));
  status = Measure(*stub0, request, &result, 10);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  agent::MeasureRequest again = SmallRequest("conv_only.textproto", "e2e-2");
  ASSERT_TRUE(Measure(*stub1, again, &result).ok());
  EXPECT_EQ(result.outcome(), agent::MeasureResult::OK) << result.message();
  measured = ReadMeasureLog(log);
  EXPECT_EQ(measured.total_started(), 2);
  EXPECT_EQ(measured.done[SimulatedSpecKey(again.spec())], 1);

  // Open channels make an agent's gRPC shutdown wait for them (up to 5 s): close first.
  stub0.reset();
  stub1.reset();
  (*agents)->Stop(1);  // SIGTERM: an orderly shutdown
  EXPECT_FALSE((*agents)->running(1));
  EXPECT_NE((*agents)->stderr_text(1).find("device-agent: stopped"), std::string::npos)
      << (*agents)->stderr_text(1);
  agents->reset();
  for (pid_t pid : pids) EXPECT_FALSE(ProcessAlive(pid)) << pid;
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);  // no child left, not even a zombie
  EXPECT_EQ(errno, ECHILD);
  std::filesystem::remove(log);
}

TEST(AgentProcessesTest, KillingAnAgentMidMeasurementLeavesNothingRunning) {
  const std::string log = TempPath("measure.log");
  AgentProcessOptions options;
  options.measure_log = log;
  options.measure_sleep_ms = 60'000;
  auto agents = AgentProcesses::Start(1, options);
  ASSERT_TRUE(agents.ok()) << agents.status();
  auto stub = Connect((*agents)->address(0));
  grpc::Status status;
  std::thread call([&] {
    agent::MeasureResult result;
    status = Measure(*stub, SmallRequest("tiny_hybrid.textproto", "slow"), &result);
  });
  MeasureLog measured;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (measured.pids.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    measured = ReadMeasureLog(log);
  }
  ASSERT_EQ(measured.pids.size(), 1u);
  const pid_t measuring = measured.pids[0];
  EXPECT_TRUE(ProcessAlive(measuring));
  (*agents)->Kill(0);
  call.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // The measuring child dies with its agent (PR_SET_PDEATHSIG).
  const auto gone = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ProcessAlive(measuring) && std::chrono::steady_clock::now() < gone) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(ProcessAlive(measuring));
  EXPECT_EQ(ReadMeasureLog(log).total_done(), 0);
  std::filesystem::remove(log);
}

TEST(AgentProcessesTest, AStartFailureNamesTheAgentAndSaysWhy) {
  AgentProcessOptions options;
  options.extra_args = {"--no-such-flag"};
  auto agents = AgentProcesses::Start(1, options);
  ASSERT_FALSE(agents.ok());
  EXPECT_NE(agents.status().message().find("agent0"), std::string::npos) << agents.status();
  EXPECT_NE(agents.status().message().find("before listening"), std::string::npos)
      << agents.status();
  EXPECT_NE(agents.status().message().find("no-such-flag"), std::string::npos) << agents.status();

  options = {};
  options.agent_binary = "/nonexistent/device-agent";
  agents = AgentProcesses::Start(1, options);
  ASSERT_FALSE(agents.ok());
  EXPECT_NE(agents.status().message().find("/nonexistent/device-agent"), std::string::npos);
}

}  // namespace
}  // namespace nas::star::testing
