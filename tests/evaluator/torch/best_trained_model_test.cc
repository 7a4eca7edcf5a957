// Trained weights leave as GGUF: Evaluate hands every run's trained model to
// BestTrainedModel, which keeps the best run's (highest accuracy) as liv weights; written
// as an LFM2 GGUF and imported back, they give exactly the same logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "evaluator/best_trained_model.h"
#include "evaluator/evaluate.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/model/spec_source.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"

namespace nas::eval {
namespace {

TEST(BestTrainedModelTest, TheBestRunsWeightsRoundTripThroughGguf) {
  EvaluateRequest request;
  auto spec = liv::LoadArchSpec(NAS_TEST_DATA_DIR "/specs/mad_hybrid.textproto");
  ASSERT_TRUE(spec.ok()) << spec.status();
  *request.mutable_spec() = *spec;
  request.set_seed(3);
  EvaluationSettings& s = *request.mutable_settings();
  s.add_tasks("in_context_recall");
  s.set_seq_len(32);
  s.mutable_budget()->set_steps(40);
  s.mutable_budget()->set_batch_size(8);
  s.mutable_budget()->add_learning_rates(1e-4);
  s.mutable_budget()->add_learning_rates(3e-3);
  s.mutable_budget()->add_learning_rates(1e-2);
  s.mutable_budget()->set_eval_examples(64);
  s.mutable_budget()->set_threads(2);

  BestTrainedModel best;
  std::vector<double> offered;
  EvaluateOptions options;
  options.trained = [&](const TrainingRun& run, TorchModel& model) {
    EXPECT_EQ(run.task(), "in_context_recall");
    offered.push_back(run.accuracy());
    best.Offer(run, model);
  };
  auto result = Evaluate(request, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(offered.size(), 3u);
  ASSERT_TRUE(best.status().ok()) << best.status();
  ASSERT_NE(best.model(), nullptr);
  // The kept run is the first with the highest accuracy, as the result reports it.
  const double top = *std::max_element(offered.begin(), offered.end());
  EXPECT_EQ(best.run().accuracy(), top);
  EXPECT_EQ(best.run().learning_rate(),
            result->runs(std::find(offered.begin(), offered.end(), top) - offered.begin())
                .learning_rate());
  EXPECT_EQ(best.model()->spec().vocab_size(), 16);  // the task's vocabulary

  const std::string path = liv::gguf_test::TempPath("trained_mad_hybrid.gguf");
  ASSERT_TRUE(liv::ExportLfm2Gguf(best.model()->spec(), best.model()->weights(), path).ok());
  auto reader = liv::GgufReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto imported = liv::ImportLfm2Gguf(*reader);
  ASSERT_TRUE(imported.ok()) << imported.status();
  liv::gguf_test::ExpectSameLogits(best.model(), *imported);
}

}  // namespace
}  // namespace nas::eval
