#include "evaluator/mad_tasks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/evaluator/mad_test_util.h"

namespace nas::eval {
namespace {

using ::testing::HasSubstr;
using test_util::MustBatch;
using test_util::Row;

class EveryTaskTest : public ::testing::TestWithParam<TaskKind> {};

TEST_P(EveryTaskTest, SameSeedSameBatchesOtherSeedOtherBatches) {
  const TaskSettings s = BaselineSettings(GetParam());
  const Batch a = MustBatch(s, 42, Split::kTrain, 0, 8);
  const Batch b = MustBatch(s, 42, Split::kTrain, 0, 8);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.targets, b.targets);
  EXPECT_EQ(a.probed, b.probed);
  const Batch other = MustBatch(s, 43, Split::kTrain, 0, 8);
  EXPECT_NE(a.inputs, other.inputs);
  const Batch test = MustBatch(s, 42, Split::kTest, 0, 8);
  EXPECT_NE(a.inputs, test.inputs);
}

TEST_P(EveryTaskTest, AnExampleDoesNotDependOnItsBatch) {
  const TaskSettings s = BaselineSettings(GetParam());
  const Batch whole = MustBatch(s, 9, Split::kTest, 3, 6);
  for (int i = 0; i < 6; ++i) {
    const Batch alone = MustBatch(s, 9, Split::kTest, 3 + i, 1);
    EXPECT_EQ(Row(whole.example(i).inputs), alone.inputs) << i;
    EXPECT_EQ(Row(whole.example(i).targets), alone.targets) << i;
    EXPECT_EQ(std::vector<uint8_t>(whole.example(i).probed.begin(),
                                   whole.example(i).probed.end()),
              alone.probed)
        << i;
  }
}

TEST_P(EveryTaskTest, ExamplesOfABatchDiffer) {
  const TaskSettings s = BaselineSettings(GetParam());
  const Batch batch = MustBatch(s, 5, Split::kTrain, 0, 16);
  std::set<std::vector<int32_t>> distinct;
  for (int i = 0; i < 16; ++i) distinct.insert(Row(batch.example(i).inputs));
  EXPECT_EQ(distinct.size(), 16u);
}

// Every protocol setting: shapes, ids inside the vocabulary, targets only where probed.
TEST_P(EveryTaskTest, TokensStayInTheVocabularyAndTargetsOnlyWhereProbed) {
  for (const TaskSettings& s : ProtocolSettings(GetParam())) {
    SCOPED_TRACE(DescribeTaskSettings(s));
    const Batch batch = MustBatch(s, 11, Split::kTrain, 0, 4);
    ASSERT_EQ(batch.batch_size, 4);
    ASSERT_EQ(batch.seq_len, s.seq_len);
    const size_t n = static_cast<size_t>(4) * s.seq_len;
    ASSERT_EQ(batch.inputs.size(), n);
    ASSERT_EQ(batch.targets.size(), n);
    ASSERT_EQ(batch.probed.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_GE(batch.inputs[i], 0);
      ASSERT_LT(batch.inputs[i], s.vocab_size);
      ASSERT_TRUE(batch.probed[i] == 0 || batch.probed[i] == 1);
      if (batch.probed[i]) {
        ASSERT_GE(batch.targets[i], 0);
        ASSERT_LT(batch.targets[i], s.vocab_size);
      } else {
        ASSERT_EQ(batch.targets[i], kNoTarget);
      }
    }
    for (int b = 0; b < 4; ++b) {
      int probes = 0;
      for (uint8_t p : batch.example(b).probed) probes += p;
      EXPECT_GE(probes, 1) << "example " << b;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Mad, EveryTaskTest, ::testing::ValuesIn(kAllTaskKinds),
                         [](const ::testing::TestParamInfo<TaskKind>& info) {
                           return std::string(TaskName(info.param));
                         });

// Small settings, seed 42, the first two training examples, each checked by hand against
// the definitions (mad_tasks.h). They also pin the generator: the same seed must give
// these tokens on every compiler, standard library and CPU.
struct Golden {
  TaskSettings settings;
  std::vector<std::vector<int32_t>> inputs, targets;
};

TaskSettings Small(TaskKind kind, int vocab_size, int seq_len) {
  TaskSettings s;
  s.kind = kind, s.vocab_size = vocab_size, s.seq_len = seq_len;
  s.num_train_examples = 2, s.num_test_examples = 1;
  return s;
}

std::vector<Golden> GoldenExamples() {
  constexpr int32_t X = kNoTarget;
  std::vector<Golden> all;
  // keys {0, 1}, values {2, 3}: probes at the key of every pair whose key came before.
  all.push_back({Small(TaskKind::kInContextRecall, 4, 8),
                 {{0, 2, 0, 2, 1, 3, 0, 2}, {1, 3, 0, 3, 1, 3, 0, 3}},
                 {{X, X, 2, X, X, X, 2, X}, {X, X, X, X, 3, X, 3, X}}});
  // keys {0, 1}, values {2, 3}, noise {4, 5}: the slot (5, 4) is noise, never probed.
  TaskSettings noisy = Small(TaskKind::kNoisyRecall, 6, 10);
  noisy.noise_vocab_size = 2, noisy.noise_fraction = 0.5;
  all.push_back({noisy,
                 {{0, 2, 1, 2, 1, 2, 5, 4, 1, 2}, {0, 3, 1, 3, 0, 3, 1, 3, 1, 3}},
                 {{X, X, X, X, 2, X, X, X, 2, X}, {X, X, X, X, 3, X, 3, X, 3, X}}});
  // keys {0, 1, 2}, values {3, 4, 5}, pad 6; keys (2) and (2, 1) differ; in the second
  // example key (1, 2) repeats with its two-token value (3, 5).
  TaskSettings fuzzy = Small(TaskKind::kFuzzyRecall, 7, 12);
  fuzzy.max_key_len = 2, fuzzy.max_value_len = 2;
  all.push_back({fuzzy,
                 {{6, 6, 6, 6, 2, 4, 2, 1, 4, 2, 1, 4}, {6, 1, 2, 3, 5, 2, 1, 5, 1, 2, 3, 5}},
                 {{X, X, X, X, X, X, X, X, X, X, 4, X}, {X, X, X, X, X, X, X, X, X, 3, 5, X}}});
  // content {0, 1}, blank 2, copy 3: the two tokens among the first 5, then copy them.
  TaskSettings copying = Small(TaskKind::kSelectiveCopying, 4, 8);
  copying.num_tokens_to_copy = 2;
  all.push_back({copying,
                 {{0, 1, 2, 2, 2, 3, 2, 2}, {1, 2, 2, 2, 1, 3, 2, 2}},
                 {{X, X, X, X, X, X, 0, 1}, {X, X, X, X, X, X, 1, 1}}});
  // content {0, 1}, compress 2: reconstruct every position.
  all.push_back({Small(TaskKind::kCompression, 3, 5),
                 {{0, 0, 0, 1, 2}, {1, 1, 0, 1, 2}},
                 {{0, 0, 0, 1, 2}, {1, 1, 0, 1, 2}}});
  // keys {0, 1, 2}, values {3, 4, 5}, insert 6; the seed's map is 0->4, 1->5, 2->3.
  all.push_back({Small(TaskKind::kMemorization, 7, 6),
                 {{1, 6, 1, 6, 2, 6}, {0, 6, 0, 6, 1, 6}},
                 {{X, 5, X, 5, X, 3}, {X, 4, X, 4, X, 5}}});
  return all;
}

TEST(TaskGeneratorTest, HandCheckedExamples) {
  for (const Golden& golden : GoldenExamples()) {
    SCOPED_TRACE(DescribeTaskSettings(golden.settings));
    const Batch batch = MustBatch(golden.settings, 42, Split::kTrain, 0, 2);
    for (int b = 0; b < 2; ++b) {
      EXPECT_EQ(Row(batch.example(b).inputs), golden.inputs[b]) << "example " << b;
      EXPECT_EQ(Row(batch.example(b).targets), golden.targets[b]) << "example " << b;
      for (int i = 0; i < batch.seq_len; ++i) {
        EXPECT_EQ(batch.example(b).probed[i], golden.targets[b][i] != kNoTarget);
      }
    }
  }
  absl::StatusOr<TaskGenerator> memorization =
      TaskGenerator::Create(Small(TaskKind::kMemorization, 7, 6), 42);
  ASSERT_TRUE(memorization.ok());
  EXPECT_EQ(memorization->memorization_map(), (std::vector<int32_t>{4, 5, 3}));
}

TEST(TaskGeneratorTest, RefusesInvalidSettings) {
  TaskSettings s = BaselineSettings(TaskKind::kCompression);
  s.vocab_size = 1;
  absl::StatusOr<TaskGenerator> generator = TaskGenerator::Create(s, 1);
  ASSERT_FALSE(generator.ok());
  EXPECT_THAT(std::string(generator.status().message()), HasSubstr("vocab_size 1"));
}

TEST(TaskGeneratorTest, BatchesStayInsideTheirSplit) {
  absl::StatusOr<TaskGenerator> generator =
      TaskGenerator::Create(BaselineSettings(TaskKind::kMemorization), 1);
  ASSERT_TRUE(generator.ok()) << generator.status();
  EXPECT_TRUE(generator->MakeBatch(Split::kTrain, 0, 256).ok());
  EXPECT_TRUE(generator->MakeBatch(Split::kTrain, 255, 1).ok());
  absl::StatusOr<Batch> past = generator->MakeBatch(Split::kTrain, 250, 8);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(past.status().message()),
              HasSubstr("memorization: examples [250, 258) of the train split are not within "
                        "its 256 examples"));
  EXPECT_TRUE(generator->MakeBatch(Split::kTest, 1000, 280).ok());
  EXPECT_FALSE(generator->MakeBatch(Split::kTest, 1000, 281).ok());
  EXPECT_FALSE(generator->MakeBatch(Split::kTest, -1, 1).ok());
  EXPECT_FALSE(generator->MakeBatch(Split::kTest, 0, 0).ok());
}

}  // namespace
}  // namespace nas::eval
