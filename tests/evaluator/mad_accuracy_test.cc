#include "evaluator/mad_accuracy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/evaluator/mad_test_util.h"

namespace nas::eval {
namespace {

using ::testing::HasSubstr;

// A hand-made batch: 2 examples of 4 positions, 3 probed.
Batch SmallBatch() {
  Batch batch;
  batch.batch_size = 2;
  batch.seq_len = 4;
  batch.inputs = {0, 1, 2, 3, 4, 5, 6, 7};
  batch.targets = {kNoTarget, 5, kNoTarget, 6, 7, kNoTarget, kNoTarget, kNoTarget};
  batch.probed = {0, 1, 0, 1, 1, 0, 0, 0};
  return batch;
}

TEST(ScorePredictionsTest, CountsOnlyProbedPositions) {
  // Unprobed positions are wrong everywhere; probed: 5 right, 6 wrong, 7 right.
  const std::vector<int32_t> predicted = {9, 5, 9, 2, 7, 9, 9, 9};
  absl::StatusOr<ProbedAccuracy> acc = ScorePredictions(SmallBatch(), predicted);
  ASSERT_TRUE(acc.ok()) << acc.status();
  EXPECT_EQ(acc->correct, 2);
  EXPECT_EQ(acc->probed, 3);
  EXPECT_DOUBLE_EQ(acc->value(), 2.0 / 3.0);
}

TEST(ScorePredictionsTest, PerfectPredictionsOfAGeneratedBatchScoreOne) {
  for (TaskKind kind : kAllTaskKinds) {
    const Batch batch = test_util::MustBatch(BaselineSettings(kind), 3, Split::kTest, 0, 8);
    absl::StatusOr<ProbedAccuracy> acc = ScorePredictions(batch, batch.targets);
    ASSERT_TRUE(acc.ok()) << acc.status();
    EXPECT_EQ(acc->probed, batch.num_probed()) << TaskName(kind);
    EXPECT_EQ(acc->value(), 1.0) << TaskName(kind);
  }
}

TEST(ScorePredictionsTest, WrongSizeIsAnError) {
  absl::StatusOr<ProbedAccuracy> acc = ScorePredictions(SmallBatch(), std::vector<int32_t>(7));
  ASSERT_FALSE(acc.ok());
  EXPECT_EQ(acc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(acc.status().message()),
              HasSubstr("7 predicted tokens for a batch of 2 x 4 = 8 positions"));
}

TEST(ProbedAccuracyTest, AddsUpOverBatches) {
  ProbedAccuracy total;
  total += ProbedAccuracy{2, 3};
  total += ProbedAccuracy{1, 5};
  EXPECT_EQ(total.correct, 3);
  EXPECT_EQ(total.probed, 8);
  EXPECT_DOUBLE_EQ(total.value(), 3.0 / 8.0);
  EXPECT_EQ(ProbedAccuracy{}.value(), 0.0);
}

}  // namespace
}  // namespace nas::eval
