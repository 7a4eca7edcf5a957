// Evaluate end to end on small budgets: same seed, same result (bit for bit, curves
// included); a different seed, a different result; the errors name the field; a training
// that diverges is a DIVERGED result, not an error; cancel stops it.
#include "evaluator/evaluate.h"

#include <atomic>
#include <cmath>

#include "gtest/gtest.h"
#include "liv/model/spec_source.h"

namespace nas::eval {
namespace {

EvaluateRequest SmallRequest(uint64_t seed) {
  EvaluateRequest request;
  auto spec = liv::LoadArchSpec(NAS_TEST_DATA_DIR "/specs/mad_hybrid.textproto");
  EXPECT_TRUE(spec.ok()) << spec.status();
  *request.mutable_spec() = *spec;
  request.set_seed(seed);
  EvaluationSettings& s = *request.mutable_settings();
  s.add_tasks("in_context_recall");
  s.add_tasks("memorization");
  s.set_seq_len(32);
  s.mutable_budget()->set_steps(12);
  s.mutable_budget()->set_batch_size(8);
  s.mutable_budget()->set_log_every(4);
  s.mutable_budget()->set_warmup_steps(2);
  s.mutable_budget()->set_eval_examples(64);
  s.mutable_budget()->set_threads(2);
  return request;
}

// Everything but the timings.
void ExpectSameScores(const EvaluationResult& a, const EvaluationResult& b) {
  ASSERT_EQ(a.runs_size(), b.runs_size());
  for (int i = 0; i < a.runs_size(); ++i) {
    EXPECT_EQ(a.runs(i).accuracy(), b.runs(i).accuracy());
    EXPECT_EQ(a.runs(i).validation_loss(), b.runs(i).validation_loss());
    EXPECT_EQ(a.runs(i).final_train_loss(), b.runs(i).final_train_loss());
    ASSERT_EQ(a.runs(i).curve_size(), b.runs(i).curve_size());
    for (int j = 0; j < a.runs(i).curve_size(); ++j) {
      EXPECT_EQ(a.runs(i).curve(j).loss(), b.runs(i).curve(j).loss());
    }
  }
  EXPECT_EQ(a.quality(), b.quality());
}

TEST(Evaluate, SameSeedSameResult) {
  auto a = Evaluate(SmallRequest(7));
  auto b = Evaluate(SmallRequest(7));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->outcome(), EvaluationResult::OK);
  ASSERT_EQ(a->tasks_size(), 2);
  EXPECT_EQ(a->tasks(0).task(), "in_context_recall");
  EXPECT_EQ(a->tasks(1).task(), "memorization");
  EXPECT_EQ(a->runs(0).curve_size(), 3);  // steps 4, 8, 12
  EXPECT_EQ(a->runs(0).curve(2).step(), 12u);
  EXPECT_DOUBLE_EQ(a->quality(), (a->tasks(0).accuracy() + a->tasks(1).accuracy()) / 2);
  ExpectSameScores(*a, *b);
  // The settings as used are recorded, defaults filled in.
  EXPECT_EQ(a->settings().budget().learning_rates(0), 3e-3);
  EXPECT_EQ(a->seed(), 7u);
}

TEST(Evaluate, AnotherSeedAnotherResult) {
  auto a = Evaluate(SmallRequest(7));
  auto b = Evaluate(SmallRequest(8));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->runs(0).curve(0).loss(), b->runs(0).curve(0).loss());
}

TEST(Evaluate, LearningRateSweepKeepsTheBestRunPerSetting) {
  EvaluateRequest request = SmallRequest(3);
  request.mutable_settings()->clear_tasks();
  request.mutable_settings()->add_tasks("in_context_recall");
  request.mutable_settings()->mutable_budget()->add_learning_rates(1e-4);
  request.mutable_settings()->mutable_budget()->add_learning_rates(3e-3);
  auto r = Evaluate(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->runs_size(), 2);
  EXPECT_EQ(r->tasks(0).accuracy(), std::max(r->runs(0).accuracy(), r->runs(1).accuracy()));
}

TEST(Evaluate, BadSpecNamesTheField) {
  EvaluateRequest request = SmallRequest(1);
  request.mutable_spec()->mutable_layers(2)->mutable_attention()->set_num_kv_heads(3);
  auto r = Evaluate(request);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().substr(0, 37), "spec.layers[2].attention.num_kv_heads");
}

TEST(Evaluate, BadSettingsNameTheField) {
  EvaluateRequest request = SmallRequest(1);
  request.mutable_settings()->add_tasks("recal");
  auto r = Evaluate(request);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().substr(0, 18), "settings.tasks[2]:") << r.status();
}

TEST(Evaluate, DivergedTrainingIsAResultNotAnError) {
  EvaluateRequest request = SmallRequest(1);
  request.mutable_settings()->clear_tasks();
  request.mutable_settings()->add_tasks("in_context_recall");
  TrainingBudget& b = *request.mutable_settings()->mutable_budget();
  // Decoupled weight decay of lr * wd = 9900 per step multiplies every matrix by -9899:
  // the weights overflow to infinity within a few steps and the loss becomes NaN.
  b.add_learning_rates(9.9);
  b.set_weight_decay(1000);
  b.set_grad_clip(0);
  b.set_warmup_steps(1);
  b.set_steps(40);
  auto r = Evaluate(request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), EvaluationResult::DIVERGED);
  EXPECT_TRUE(r->runs(0).diverged());
  EXPECT_NE(r->failure().find("diverged"), std::string::npos) << r->failure();
}

TEST(Evaluate, CancelStopsTraining) {
  std::atomic<bool> cancel{true};
  EvaluateOptions options;
  options.cancel = &cancel;
  auto r = Evaluate(SmallRequest(1), options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
}

TEST(Evaluate, ProgressIsReportedEveryLogEverySteps) {
  std::vector<int> steps;
  EvaluateOptions options;
  options.progress = [&](const TrainingProgress& p) {
    if (!p.run_finished && p.run == 0) steps.push_back(p.step);
  };
  ASSERT_TRUE(Evaluate(SmallRequest(1), options).ok());
  EXPECT_EQ(steps, (std::vector<int>{4, 8, 12}));
}

EvaluateRequest CorpusRequest(const std::string& path) {
  EvaluateRequest request = SmallRequest(5);
  EvaluationSettings& s = *request.mutable_settings();
  s.clear_tasks();
  s.set_seq_len(0);
  s.set_mode(EvaluationSettings::CORPUS);
  s.set_corpus_path(path);
  s.set_corpus_seq_len(64);
  s.mutable_budget()->set_steps(40);
  s.mutable_budget()->set_log_every(10);
  return request;
}

TEST(Evaluate, CorpusModeReportsValidationLossAndPerplexity) {
  auto r = Evaluate(CorpusRequest(NAS_TEST_DATA_DIR "/corpus/tiny_corpus.txt"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), EvaluationResult::OK);
  ASSERT_EQ(r->runs_size(), 1);
  EXPECT_EQ(r->runs(0).task(), "corpus");
  EXPECT_DOUBLE_EQ(r->validation_loss(), r->runs(0).validation_loss());
  EXPECT_DOUBLE_EQ(r->perplexity(), std::exp(r->validation_loss()));
  EXPECT_DOUBLE_EQ(r->quality(), 1.0 / r->perplexity());
  // It learns: below the uniform byte model (ln 256 = 5.545 nats) and falling.
  EXPECT_LT(r->validation_loss(), std::log(256.0));
  ASSERT_EQ(r->runs(0).curve_size(), 4);
  EXPECT_LT(r->runs(0).curve(3).loss(), r->runs(0).curve(0).loss());
}

TEST(Evaluate, MissingCorpusIsNotFoundNamingThePath) {
  auto r = Evaluate(CorpusRequest("/nonexistent/corpus.txt"));
  ASSERT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/corpus.txt"), std::string::npos);
}

}  // namespace
}  // namespace nas::eval
