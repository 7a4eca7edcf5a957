// End to end with GGUF checkpoints: a real agent on 127.0.0.1 (ephemeral port) with a
// --models-dir measures a tiny LFM2 GGUF named by MeasureRequest.gguf with the real
// liv-measure (the file's own weights, in its weight type), and refuses names outside the
// dir, missing files, a file whose fingerprint is not the coordinator's and agents without a
// models dir with the documented gRPC codes.
#include <gtest/gtest.h>

#include <filesystem>

#include "nlohmann/json.hpp"
#include "tests/device-agent/agent_test_util.h"
#include "tests/liv/formats/lfm2_gguf_file.h"

namespace nas::agent {
namespace {

using namespace testing;

grpc::Status Call(DeviceAgent::Stub& stub, const MeasureRequest& request, MeasureResult* result) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  return stub.Measure(&context, request, result);
}

// SmallRequest's protocol with the model replaced by a file of the models dir.
MeasureRequest GgufRequest(const std::string& name) {
  MeasureRequest request = SmallRequest();
  request.set_gguf(name);
  return request;
}

class AgentGgufTest : public ::testing::Test {
 protected:
  void SetUp() override {
    models_dir_ = (std::filesystem::path(::testing::TempDir()) / "agent-gguf-models").string();
    std::filesystem::create_directories(models_dir_);
    ASSERT_TRUE(liv::testing::WriteTinyLfm2Gguf(models_dir_ + "/tiny.gguf").ok());
  }
  void TearDown() override { std::filesystem::remove_all(models_dir_); }

  std::string models_dir_;
};

TEST_F(AgentGgufTest, MeasuresACheckpointOfTheModelsDir) {
  AgentOptions options = LocalOptions();
  options.limits.models_dir = models_dir_;
  RunningAgent agent = StartAgent(options);
  ASSERT_NE(agent.stub, nullptr);
  const std::string fingerprint = liv::testing::FileFingerprint(models_dir_ + "/tiny.gguf");
  MeasureRequest request = GgufRequest("tiny.gguf");
  request.set_request_id("gguf-1");
  request.set_gguf_fingerprint(fingerprint);  // the coordinator holds the same file
  MeasureResult result;
  const grpc::Status status = Call(*agent.stub, request, &result);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(result.outcome(), MeasureResult::OK) << result.message();
  EXPECT_EQ(result.request_id(), "gguf-1");
  ASSERT_EQ(result.prefill_size(), 1);
  EXPECT_GT(result.prefill(0).time_ms().median(), 0);
  const auto report = nlohmann::json::parse(result.liv_measure_json());
  EXPECT_EQ(report["model"]["source"], models_dir_ + "/tiny.gguf");
  EXPECT_EQ(report["model"]["weights"], "gguf");
  EXPECT_EQ(report["model"]["weight_type"], "f32");
  EXPECT_EQ(report["model"]["name"], "tiny-lfm2");
  EXPECT_EQ(report["model"]["file_fingerprint"], fingerprint);
}

TEST_F(AgentGgufTest, RejectionsCarryTheirCodes) {
  AgentOptions options = LocalOptions();
  options.limits.models_dir = models_dir_;
  RunningAgent agent = StartAgent(options);
  ASSERT_NE(agent.stub, nullptr);
  MeasureResult result;
  grpc::Status status = Call(*agent.stub, GgufRequest("../tiny.gguf"), &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "gguf: \"../tiny.gguf\" is not a plain file name (no '/', '.' or '..')");
  status = Call(*agent.stub, GgufRequest("absent.gguf"), &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "gguf: absent.gguf is not a file in the models dir " +
                                        models_dir_);
  MeasureRequest other_file = GgufRequest("tiny.gguf");
  other_file.set_gguf_fingerprint(std::string(32, '0'));  // the coordinator's file differs
  status = Call(*agent.stub, other_file, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("is not the coordinator's file"), std::string::npos)
      << status.error_message();

  RunningAgent bare = StartAgent();  // no models dir
  ASSERT_NE(bare.stub, nullptr);
  status = Call(*bare.stub, GgufRequest("tiny.gguf"), &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "gguf: tiny.gguf: this agent has no models dir (start it with --models-dir)");
}

}  // namespace
}  // namespace nas::agent
