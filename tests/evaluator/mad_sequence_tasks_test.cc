// selective_copying, compression and memorization, checked against their definitions
// from the input tokens alone (mad_tasks.h, REFERENCE.md section 4).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "evaluator/mad_tasks.h"
#include "tests/evaluator/mad_test_util.h"

namespace nas::eval {
namespace {

using test_util::MustBatch;

// Blanks with n content tokens among the first L - n - 1 positions, the copy token, then
// n blanks whose positions are probed with the content tokens in order. Returns the
// positions of the content tokens.
std::vector<int> CheckSelectiveCopying(const TaskSettings& s, const ExampleView& ex) {
  const int n = s.num_tokens_to_copy, L = s.seq_len, scatter = L - n - 1;
  const int32_t blank = s.vocab_size - 2, copy = s.vocab_size - 1;
  std::vector<int32_t> to_copy;
  std::vector<int> positions;
  for (int i = 0; i < scatter; ++i) {
    if (ex.inputs[i] == blank) continue;
    EXPECT_TRUE(ex.inputs[i] >= 0 && ex.inputs[i] < blank) << "token " << ex.inputs[i];
    to_copy.push_back(ex.inputs[i]);
    positions.push_back(i);
  }
  EXPECT_EQ(static_cast<int>(to_copy.size()), n);
  EXPECT_EQ(ex.inputs[scatter], copy);
  std::vector<int32_t> targets;
  for (int i = 0; i < L; ++i) {
    if (i > scatter) {
      EXPECT_EQ(ex.inputs[i], blank) << i;
      EXPECT_TRUE(ex.probed[i]) << i;
      targets.push_back(ex.targets[i]);
    } else {
      EXPECT_FALSE(ex.probed[i]) << i;
    }
  }
  EXPECT_EQ(targets, to_copy);
  return positions;
}

TEST(SelectiveCopyingTest, EveryExampleOfEverySettingFollowsTheDefinition) {
  for (const TaskSettings& s : ProtocolSettings(TaskKind::kSelectiveCopying)) {
    SCOPED_TRACE(DescribeTaskSettings(s));
    const Batch batch = MustBatch(s, 77, Split::kTrain, 100, 16);
    for (int b = 0; b < batch.batch_size; ++b) CheckSelectiveCopying(s, batch.example(b));
    EXPECT_EQ(batch.num_probed(), 16 * s.num_tokens_to_copy);
  }
}

TEST(SelectiveCopyingTest, TokensAreScatteredUniformly) {
  const TaskSettings s = BaselineSettings(TaskKind::kSelectiveCopying);
  const Batch batch = MustBatch(s, 1, Split::kTrain, 0, 500);
  const int scatter = s.seq_len - s.num_tokens_to_copy - 1;
  double sum = 0;
  int count = 0, first = 0, last = 0;
  for (int b = 0; b < batch.batch_size; ++b) {
    const std::vector<int> positions = CheckSelectiveCopying(s, batch.example(b));
    for (int p : positions) sum += p, ++count;
    first += positions.front() == 0;
    last += positions.back() == scatter - 1;
  }
  EXPECT_NEAR(sum / count, (scatter - 1) / 2.0, 3.0);
  // Each end position holds a token with probability 16 / 239.
  EXPECT_NEAR(first, 500 * 16.0 / scatter, 15);
  EXPECT_NEAR(last, 500 * 16.0 / scatter, 15);
}

TEST(CompressionTest, EveryPositionReconstructsTheInput) {
  for (const TaskSettings& s : ProtocolSettings(TaskKind::kCompression)) {
    SCOPED_TRACE(DescribeTaskSettings(s));
    const Batch batch = MustBatch(s, 5, Split::kTest, 0, 16);
    std::set<int32_t> tokens;
    for (int b = 0; b < batch.batch_size; ++b) {
      const ExampleView ex = batch.example(b);
      for (int i = 0; i < s.seq_len; ++i) {
        if (i + 1 < s.seq_len) {
          EXPECT_LT(ex.inputs[i], s.vocab_size - 1) << "content token at " << i;
          tokens.insert(ex.inputs[i]);
        } else {
          EXPECT_EQ(ex.inputs[i], s.vocab_size - 1) << "the compress token ends it";
        }
        EXPECT_TRUE(ex.probed[i]);
        EXPECT_EQ(ex.targets[i], ex.inputs[i]);
      }
    }
    EXPECT_EQ(batch.num_probed(), 16 * s.seq_len);
    EXPECT_GT(static_cast<int>(tokens.size()), (s.vocab_size - 1) / 2);
  }
}

// (key, insert) pairs; the insert positions are probed with the key's value, and the
// key -> value map is one injection for every batch and split of a seed.
void CheckMemorization(const TaskSettings& s, const ExampleView& ex,
                       std::map<int32_t, int32_t>* value_of) {
  const int32_t keys = (s.vocab_size - 1) / 2, insert = s.vocab_size - 1;
  for (int i = 0; i < s.seq_len; i += 2) {
    const int32_t key = ex.inputs[i];
    ASSERT_TRUE(key >= 0 && key < keys) << "key " << key << " at " << i;
    EXPECT_EQ(ex.inputs[i + 1], insert) << i + 1;
    EXPECT_FALSE(ex.probed[i]) << i;
    ASSERT_TRUE(ex.probed[i + 1]) << i + 1;
    const int32_t value = ex.targets[i + 1];
    EXPECT_TRUE(value >= keys && value < insert) << "value " << value;
    const auto [it, first_time] = value_of->emplace(key, value);
    EXPECT_EQ(it->second, value) << "key " << key << " changed its value";
  }
}

TEST(MemorizationTest, OneFixedMapForEveryBatchAndSplitOfASeed) {
  for (const TaskSettings& s : ProtocolSettings(TaskKind::kMemorization)) {
    SCOPED_TRACE(DescribeTaskSettings(s));
    std::map<int32_t, int32_t> value_of;
    for (const auto& [split, first] : {std::pair{Split::kTrain, 0}, std::pair{Split::kTrain, 128},
                                       std::pair{Split::kTest, 500}}) {
      const Batch batch = MustBatch(s, 31, split, first, 128);
      for (int b = 0; b < batch.batch_size; ++b) {
        CheckMemorization(s, batch.example(b), &value_of);
        if (HasFatalFailure()) return;
      }
      EXPECT_EQ(batch.num_probed(), 128 * s.seq_len / 2);
    }
    std::set<int32_t> values;
    for (const auto& [key, value] : value_of) values.insert(value);
    EXPECT_EQ(values.size(), value_of.size()) << "two keys share a value";
    // The generator's own map agrees with what the examples show.
    absl::StatusOr<TaskGenerator> generator = TaskGenerator::Create(s, 31);
    ASSERT_TRUE(generator.ok());
    ASSERT_EQ(static_cast<int>(generator->memorization_map().size()), (s.vocab_size - 1) / 2);
    for (const auto& [key, value] : value_of) {
      EXPECT_EQ(generator->memorization_map()[key], value);
    }
  }
}

TEST(MemorizationTest, TheMapDependsOnTheSeed) {
  const TaskSettings s = BaselineSettings(TaskKind::kMemorization);
  absl::StatusOr<TaskGenerator> a = TaskGenerator::Create(s, 1);
  absl::StatusOr<TaskGenerator> b = TaskGenerator::Create(s, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->memorization_map(), b->memorization_map());
  EXPECT_EQ(a->memorization_map(), TaskGenerator::Create(s, 1)->memorization_map());
  for (TaskKind other : {TaskKind::kInContextRecall, TaskKind::kCompression}) {
    EXPECT_TRUE(TaskGenerator::Create(BaselineSettings(other), 1)->memorization_map().empty());
  }
}

}  // namespace
}  // namespace nas::eval
