// The COMMAND evaluator with small shell commands (and the documented Python example):
// the request it sends, the result it reads, and the failures it reports.
#include "star/command_evaluator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "star/trained_quality.h"

namespace nas::star {
namespace {

ArchSpec Spec() {
  ArchSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    name: "cmd-spec"
    vocab_size: 256
    d_model: 64
    norm_eps: 1e-5
    layers { attention { num_heads: 4 num_kv_heads: 2 head_dim: 16 rope_theta: 10000 }
             swiglu { hidden: 128 } }
    layers { short_conv { kernel_size: 3 gating: DOUBLE } swiglu { hidden: 128 } }
  )pb", &spec));
  return spec;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CommandEvaluatorTest : public ::testing::Test {
 protected:
  absl::StatusOr<QualityScore> Run(const std::string& command,
                                   std::chrono::seconds timeout = std::chrono::seconds(60)) {
    eval::EvaluationSettings settings;
    settings.add_tasks("selective_copying");
    settings.mutable_budget()->set_steps(5);
    auto evaluator = MakeCommandEvaluator({"command-mad:test", settings, 5, timeout}, command);
    QualityContext context;
    context.stop = &stop_;
    return evaluator->Evaluate({"abc123", Spec(), "abc123"}, context);
  }

  std::string Temp(const std::string& name) {
    const std::string path = ::testing::TempDir() + "command_evaluator_" + name;
    std::filesystem::remove(path);
    return path;
  }

  std::atomic<bool> stop_{false};
};

TEST_F(CommandEvaluatorTest, SendsTheRequestAsJsonAndReadsTheResult) {
  const std::string request_file = Temp("request.json");
  auto score = Run("cat > '" + request_file +
                   "'; echo 'log line' >&2; "
                   "printf '{\"outcome\": \"OK\", \"quality\": 0.25, \"not_a_field\": 1}'");
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->failure, "");
  EXPECT_DOUBLE_EQ(score->quality, 0.25);
  EXPECT_NE(score->metrics_json.find("\"quality\":0.25"), std::string::npos) << score->metrics_json;
  // The request: the spec, the settings, the seed and the id, in the .proto's field names.
  eval::EvaluateRequest request;
  const std::string json = ReadFile(request_file);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &request).ok()) << json;
  EXPECT_EQ(request.spec().SerializeAsString(), Spec().SerializeAsString());
  EXPECT_EQ(request.settings().tasks(0), "selective_copying");
  EXPECT_EQ(request.seed(), 5u);
  EXPECT_EQ(request.request_id(), "abc123/command-mad:test");
  EXPECT_NE(json.find("\"num_kv_heads\":2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"request_id\""), std::string::npos) << json;
}

TEST_F(CommandEvaluatorTest, ANonZeroExitIsAFailureNamingTheCommandAndItsStatus) {
  const std::string command = "cat > /dev/null; echo 'out of memory' >&2; exit 3";
  auto score = Run(command);
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->failure, "evaluator.command \"" + command +
                                "\": exited with status 3; its stderr ended: out of memory");
}

TEST_F(CommandEvaluatorTest, OutputThatIsNotAResultIsAFailure) {
  auto score = Run("echo 'not json'");
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->failure.rfind(
                "evaluator.command \"echo 'not json'\": printed no EvaluationResult JSON on "
                "stdout (",
                0),
            0u)
      << score->failure;
  EXPECT_NE(score->failure.find("stdout began: \"not json\""), std::string::npos)
      << score->failure;
}

TEST_F(CommandEvaluatorTest, AResultWithoutOutcomeOrADivergedOneIsAFailure) {
  auto none = Run("echo '{\"quality\": 0.5}'");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->failure, "the evaluator's result has no outcome");
  auto diverged = Run("echo '{\"outcome\": \"DIVERGED\", \"failure\": \"NaN at step 3\"}'");
  ASSERT_TRUE(diverged.ok());
  EXPECT_EQ(diverged->failure, "diverged: NaN at step 3");
}

TEST_F(CommandEvaluatorTest, ACommandPastItsTimeoutIsKilledWithItsChildren) {
  const std::string marker = Temp("survivor");
  const auto start = std::chrono::steady_clock::now();
  // The background child would write the marker if it outlived the kill.
  auto score = Run("(sleep 3; touch '" + marker + "') & sleep 30", std::chrono::seconds(1));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_NE(score->failure.find(": killed after the 1 s timeout (evaluator.timeout_seconds)"),
            std::string::npos)
      << score->failure;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  // Wait past the moment the child would have written it.
  std::this_thread::sleep_for(std::chrono::seconds(4) - elapsed);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(CommandEvaluatorTest, StoppingKillsTheCommandAndTheEvaluationDoesNotCount) {
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop_ = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto score = Run("sleep 30");
  stopper.join();
  EXPECT_EQ(score.status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(CommandEvaluatorTest, TheDocumentedPythonExampleWorks) {
  if (std::system("python3 -c 'pass' 2>/dev/null") != 0) GTEST_SKIP() << "no python3";
  auto score = Run(std::string("python3 ") + NAS_SOURCE_DIR + "/evaluator/examples/train_command.py");
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->failure, "");
  EXPECT_DOUBLE_EQ(score->quality, 0.5);  // one attention layer of two
  EXPECT_NE(score->metrics_json.find("example train_command.py"), std::string::npos);
}

}  // namespace
}  // namespace nas::star
