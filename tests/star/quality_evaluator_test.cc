// Which evaluator a space gets, the trained evaluators' names, and the in-process
// evaluator (MAD, CORPUS) around a fake trainer.
#include "star/quality_evaluator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "google/protobuf/text_format.h"
#include "star/proxy_quality.h"
#include "star/trained_quality.h"
#include "tests/evaluator/fake_trainer.h"

namespace nas::star {
namespace {

using eval::testing::FakeTrainer;
using Behaviour = FakeTrainer::Behaviour;

SearchSpace SpaceWith(const std::string& evaluator_text) {
  SearchSpace space;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(evaluator_text,
                                                            space.mutable_evaluator()))
      << evaluator_text;
  return space;
}

QualityJob Job() {
  QualityJob job;
  job.hash = "0123456789abcdef";
  job.label = "01234567";
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    name: "job" vocab_size: 256 d_model: 64 norm_eps: 1e-5
    layers { short_conv { kernel_size: 3 gating: DOUBLE } swiglu { hidden: 128 } }
  )pb", &job.spec));
  return job;
}

TEST(QualityEvaluatorTest, EachKindGetsItsEvaluator) {
  auto none = MakeQualityEvaluator(SpaceWith(""));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  EXPECT_EQ(QualityEvaluatorName(SpaceWith("")), "");

  auto proxy = MakeQualityEvaluator(SpaceWith("kind: PROXY"));
  ASSERT_TRUE(proxy.ok() && *proxy != nullptr);
  EXPECT_EQ((*proxy)->name(), kProxyEvaluatorName);
  EXPECT_TRUE((*proxy)->is_proxy());

  auto service = MakeQualityEvaluator(
      SpaceWith(R"pb(kind: SERVICE addresses: ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"])pb"));
  ASSERT_TRUE(service.ok());
  EXPECT_EQ((*service)->parallelism(), 3);
  EXPECT_FALSE((*service)->is_proxy());

  auto command = MakeQualityEvaluator(SpaceWith(R"pb(kind: COMMAND command: "true")pb"));
  ASSERT_TRUE(command.ok());
  EXPECT_EQ((*command)->parallelism(), 1);
}

TEST(QualityEvaluatorTest, InProcessKindsNeedTheTrainerThisBuildMayLack) {
  for (const char* kind : {"kind: MAD", "kind: CORPUS training { corpus_path: \"c.txt\" }"}) {
    auto made = MakeQualityEvaluator(SpaceWith(kind));
    EXPECT_EQ(made.status().code(), absl::StatusCode::kUnimplemented) << kind;
    EXPECT_NE(made.status().message().find("this build has no in-process evaluator"),
              std::string::npos)
        << made.status();
  }
  FakeTrainer trainer;
  QualityEvaluatorDeps deps;
  deps.local = trainer.fn();
  auto made = MakeQualityEvaluator(SpaceWith("kind: MAD"), deps);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ((*made)->name(), QualityEvaluatorName(SpaceWith("kind: MAD")));
}

TEST(QualityEvaluatorTest, CorpusPathsAreCheckedAndRelativeToTheSpaceFile) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "corpus_space";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "corpus.txt") << "some text\n";
  FakeTrainer trainer;
  QualityEvaluatorDeps deps;
  deps.local = trainer.fn();
  const SearchSpace space = SpaceWith(R"pb(kind: CORPUS training { corpus_path: "corpus.txt" })pb");
  auto missing = MakeQualityEvaluator(space, deps, "/nonexistent/space.textproto");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "evaluator.training.corpus_path: no such file \"/nonexistent/corpus.txt\"");
  auto made = MakeQualityEvaluator(space, deps, (dir / "space.textproto").string());
  ASSERT_TRUE(made.ok()) << made.status();
  ASSERT_TRUE((*made)->Evaluate(Job(), {}).ok());
  ASSERT_EQ(trainer.requests().size(), 1u);
  EXPECT_EQ(trainer.requests()[0].settings().corpus_path(), (dir / "corpus.txt").string());
  EXPECT_EQ(trainer.requests()[0].settings().mode(), eval::EvaluationSettings::CORPUS);
}

TEST(TrainedQualityTest, NamesChangeWithEverythingThatChangesTheScores) {
  const std::regex form("(mad|corpus|service-mad|command-corpus):[0-9a-f]{8}");
  const std::string mad = QualityEvaluatorName(SpaceWith("kind: MAD seed: 1"));
  EXPECT_TRUE(std::regex_match(mad, form)) << mad;
  // Defaults written out are the same settings.
  EXPECT_EQ(QualityEvaluatorName(SpaceWith("kind: MAD seed: 1 training { budget { steps: 300 } }")),
            mad);
  EXPECT_EQ(QualityEvaluatorName(SpaceWith("kind: MAD seed: 1 training { mode: MAD }")), mad);
  EXPECT_NE(QualityEvaluatorName(SpaceWith("kind: MAD seed: 2")), mad);
  EXPECT_NE(QualityEvaluatorName(SpaceWith("kind: MAD seed: 1 training { budget { steps: 50 } }")),
            mad);
  EXPECT_NE(QualityEvaluatorName(
                SpaceWith("kind: MAD seed: 1 training { tasks: [\"in_context_recall\"] }")),
            mad);
  const std::string service =
      QualityEvaluatorName(SpaceWith(R"pb(kind: SERVICE addresses: "h:1" seed: 1)pb"));
  EXPECT_TRUE(std::regex_match(service, form)) << service;
  EXPECT_EQ(service.substr(service.find(':')), mad.substr(mad.find(':')));  // same settings
  // Where it trains does not change the scores; what trains them does.
  EXPECT_EQ(QualityEvaluatorName(SpaceWith(R"pb(kind: SERVICE addresses: "other:2" seed: 1)pb")),
            service);
  const std::string a = QualityEvaluatorName(SpaceWith(
      R"pb(kind: COMMAND command: "train a" training { mode: CORPUS corpus_path: "c" })pb"));
  const std::string b = QualityEvaluatorName(SpaceWith(
      R"pb(kind: COMMAND command: "train b" training { mode: CORPUS corpus_path: "c" })pb"));
  EXPECT_TRUE(std::regex_match(a, form)) << a;
  EXPECT_NE(a, b);
}

TEST(TrainedQualityTest, AnswersBecomeScoresOrFailures) {
  eval::EvaluationResult result;
  result.set_outcome(eval::EvaluationResult::OK);
  result.set_quality(0.75);
  QualityScore score = ScoreFromResult(result);
  EXPECT_EQ(score.failure, "");
  EXPECT_EQ(score.quality, 0.75);
  EXPECT_EQ(score.metrics_json, R"({"outcome":"OK","quality":0.75})");
  result.set_quality(std::nan(""));
  EXPECT_EQ(ScoreFromResult(result).failure.rfind("the evaluator returned a non-finite quality", 0),
            0u);
  result.set_outcome(eval::EvaluationResult::FAILED);
  EXPECT_EQ(ScoreFromResult(result).failure, "failed: no reason given");
  result.set_failure("out of memory");
  EXPECT_EQ(ScoreFromResult(result).failure, "failed: out of memory");
  result.set_outcome(eval::EvaluationResult::DIVERGED);
  result.clear_failure();
  EXPECT_EQ(ScoreFromResult(result).failure, "diverged (the training loss became NaN)");
}

class LocalEvaluatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<QualityEvaluator> Make(const std::string& evaluator_text) {
    QualityEvaluatorDeps deps;
    deps.local = trainer_.fn();
    auto made = MakeQualityEvaluator(SpaceWith(evaluator_text), deps);
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? std::move(made).value() : nullptr;
  }
  absl::StatusOr<QualityScore> Evaluate(QualityEvaluator& evaluator) {
    QualityContext context;
    context.stop = &stop_;
    context.on_progress = [this](const std::string& line) { progress_.push_back(line); };
    return evaluator.Evaluate(Job(), context);
  }

  FakeTrainer trainer_;
  std::atomic<bool> stop_{false};
  std::vector<std::string> progress_;
};

TEST_F(LocalEvaluatorTest, TrainsWithTheSpacesSettingsModeAndSeed) {
  auto evaluator = Make(R"pb(kind: MAD seed: 9 training { tasks: ["fuzzy_recall"] })pb");
  auto score = Evaluate(*evaluator);
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->failure, "");
  EXPECT_DOUBLE_EQ(score->quality, FakeTrainer::QualityOf(Job().spec));
  ASSERT_EQ(trainer_.requests().size(), 1u);
  const eval::EvaluateRequest request = trainer_.requests()[0];
  EXPECT_EQ(request.settings().mode(), eval::EvaluationSettings::MAD);
  EXPECT_EQ(request.settings().tasks(0), "fuzzy_recall");
  EXPECT_EQ(request.seed(), 9u);
  EXPECT_EQ(request.request_id(), "0123456789abcdef/" + evaluator->name());
  EXPECT_EQ(request.spec().SerializeAsString(), Job().spec.SerializeAsString());
  EXPECT_NE(score->metrics_json.find("\"seed\":\"9\""), std::string::npos) << score->metrics_json;
  ASSERT_EQ(progress_.size(), 1u);
  EXPECT_EQ(progress_[0].rfind("training 01234567: in_context_recall lr=0.003 run 1/1 step 10/10 "
                               "done, accuracy 0.",
                               0),
            0u)
      << progress_[0];
}

TEST_F(LocalEvaluatorTest, TrainerErrorsAndExceptionsAreFailedEvaluations) {
  auto evaluator = Make("kind: MAD");
  trainer_.set_behaviour(Behaviour::kError);
  auto score = Evaluate(*evaluator);
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->failure, "INTERNAL: fake internal error");
  trainer_.set_behaviour(Behaviour::kThrow);
  score = Evaluate(*evaluator);
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->failure, "INTERNAL: the evaluation threw: fake exception");
  trainer_.set_behaviour(Behaviour::kDiverge);
  score = Evaluate(*evaluator);
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->failure, "diverged: loss became NaN at step 7");
}

TEST_F(LocalEvaluatorTest, ATrainingPastTheTimeoutIsCancelledAndFails) {
  auto evaluator = Make("kind: MAD timeout_seconds: 1");
  trainer_.set_behaviour(Behaviour::kWaitForCancel);
  auto score = Evaluate(*evaluator);
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->failure, "timed out after 1 s (evaluator.timeout_seconds)");
  EXPECT_EQ(trainer_.cancels_seen(), 1);
}

TEST_F(LocalEvaluatorTest, StoppingCancelsTheTrainingAndNothingIsScored) {
  auto evaluator = Make("kind: MAD");
  trainer_.set_behaviour(Behaviour::kWaitForCancel);
  absl::StatusOr<QualityScore> score;
  std::thread run([&] { score = Evaluate(*evaluator); });
  ASSERT_TRUE(trainer_.WaitFor([](int calls, int) { return calls == 1; }));
  stop_ = true;
  run.join();
  EXPECT_EQ(score.status().code(), absl::StatusCode::kCancelled);
  // A batch stopped before it starts a job does not start it.
  std::vector<absl::Status> statuses;
  evaluator->EvaluateBatch({Job(), Job()}, {&stop_, {}, {}},
                           [&](size_t, const absl::StatusOr<QualityScore>& s) {
                             statuses.push_back(s.status());
                           });
  ASSERT_EQ(statuses.size(), 2u);
  for (const auto& s : statuses) EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(trainer_.calls(), 1);
}

}  // namespace
}  // namespace nas::star
