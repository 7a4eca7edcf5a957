// The three recall tasks, checked against their definitions by re-deriving every probe
// from the input tokens alone (mad_tasks.h, REFERENCE.md section 4).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "evaluator/mad_tasks.h"
#include "tests/evaluator/mad_test_util.h"

namespace nas::eval {
namespace {

using test_util::MustBatch;

// What the checks saw, for distribution checks over many examples.
struct Seen {
  int slots = 0;
  int noise_slots = 0;
  int probes = 0;
  std::set<int> key_lens, value_lens;
};

bool AllDistinct(std::vector<int32_t> tokens) {
  std::sort(tokens.begin(), tokens.end());
  return std::adjacent_find(tokens.begin(), tokens.end()) == tokens.end();
}

// in_context_recall and noisy_recall: slots of two tokens, each a (key, value) pair or
// (noisy_recall) two noise tokens. Position 2j (a key) is probed exactly when its key was
// in an earlier pair, with that pair's value as target; the last slot is such a pair.
void CheckPairRecall(const TaskSettings& s, const ExampleView& ex, Seen* seen) {
  const int clean = s.vocab_size - s.noise_vocab_size;
  const auto is_key = [&](int32_t t) { return t >= 0 && t < clean / 2; };
  const auto is_value = [&](int32_t t) { return t >= clean / 2 && t < clean; };
  const auto is_noise = [&](int32_t t) { return t >= clean && t < s.vocab_size; };
  std::map<int32_t, int32_t> value_of;
  for (int j = 0; j < s.seq_len / 2; ++j) {
    const int32_t k = ex.inputs[2 * j], v = ex.inputs[2 * j + 1];
    ++seen->slots;
    EXPECT_FALSE(ex.probed[2 * j + 1]) << "value position " << 2 * j + 1;
    if (is_noise(k)) {
      ASSERT_GT(s.noise_vocab_size, 0) << "noise token " << k;
      ASSERT_TRUE(is_noise(v)) << "noise slot " << j << " ends with " << v;
      EXPECT_FALSE(ex.probed[2 * j]);
      EXPECT_NE(j, s.seq_len / 2 - 1) << "the last slot must be a pair";
      ++seen->noise_slots;
      continue;
    }
    ASSERT_TRUE(is_key(k)) << "slot " << j << " starts with " << k;
    ASSERT_TRUE(is_value(v)) << "slot " << j << " has value " << v;
    const auto it = value_of.find(k);
    if (it == value_of.end()) {
      value_of[k] = v;
      EXPECT_FALSE(ex.probed[2 * j]) << "first sight of key " << k << " at " << 2 * j;
      EXPECT_NE(j, s.seq_len / 2 - 1) << "the last pair must repeat a key";
    } else {
      EXPECT_EQ(v, it->second) << "key " << k << " changed its value at slot " << j;
      EXPECT_TRUE(ex.probed[2 * j]) << "repeated key " << k << " at " << 2 * j;
      EXPECT_EQ(ex.targets[2 * j], v);
      ++seen->probes;
    }
  }
}

// fuzzy_recall: pads, then pairs of a run of 1..max_key_len distinct key tokens and a run
// of 1..max_value_len distinct value tokens. Every value token of a pair whose key (as a
// token sequence) appeared earlier is probed from the position before it.
void CheckFuzzyRecall(const TaskSettings& s, const ExampleView& ex, Seen* seen) {
  const int L = s.seq_len, pad = s.vocab_size - 1, clean = s.vocab_size - 1;
  const auto is_key = [&](int32_t t) { return t >= 0 && t < clean / 2; };
  const auto is_value = [&](int32_t t) { return t >= clean / 2 && t < clean; };
  int pos = 0;
  while (pos < L && ex.inputs[pos] == pad) ++pos;
  // Pairs stop once the longest pair and a final pair might not fit: fewer pads than that.
  EXPECT_LT(pos, 2 * (s.max_key_len + s.max_value_len) - 2);
  std::vector<int32_t> expected_targets(L, kNoTarget);
  std::map<std::vector<int32_t>, std::vector<int32_t>> value_of;
  bool last_repeated = false;
  while (pos < L) {
    std::vector<int32_t> key, value;
    while (pos < L && is_key(ex.inputs[pos])) key.push_back(ex.inputs[pos++]);
    const int value_start = pos;
    while (pos < L && is_value(ex.inputs[pos])) value.push_back(ex.inputs[pos++]);
    ASSERT_TRUE(pos == L || is_key(ex.inputs[pos]))
        << "token " << ex.inputs[pos] << " at " << pos << " is neither key nor value";
    ASSERT_GE(key.size(), 1u) << "pair at " << value_start << " has no key";
    ASSERT_LE(static_cast<int>(key.size()), s.max_key_len);
    ASSERT_GE(value.size(), 1u) << "pair ending at " << pos << " has no value";
    ASSERT_LE(static_cast<int>(value.size()), s.max_value_len);
    EXPECT_TRUE(AllDistinct(key));
    EXPECT_TRUE(AllDistinct(value));
    seen->key_lens.insert(static_cast<int>(key.size()));
    ++seen->slots;
    const auto it = value_of.find(key);
    last_repeated = it != value_of.end();
    if (!last_repeated) {
      value_of[key] = value;
      seen->value_lens.insert(static_cast<int>(value.size()));
      continue;
    }
    EXPECT_EQ(value, it->second) << "a key changed its value before " << pos;
    for (size_t t = 0; t < value.size(); ++t) expected_targets[value_start + t - 1] = value[t];
  }
  EXPECT_TRUE(last_repeated) << "the last pair must repeat a key";
  for (int i = 0; i < L; ++i) {
    EXPECT_EQ(ex.probed[i], expected_targets[i] != kNoTarget) << "position " << i;
    EXPECT_EQ(ex.targets[i], expected_targets[i]) << "position " << i;
    seen->probes += expected_targets[i] != kNoTarget;
  }
}

void CheckRecall(const TaskSettings& s, const ExampleView& ex, Seen* seen) {
  if (s.kind == TaskKind::kFuzzyRecall) {
    CheckFuzzyRecall(s, ex, seen);
  } else {
    CheckPairRecall(s, ex, seen);
  }
}

class RecallTest : public ::testing::TestWithParam<TaskKind> {};

TEST_P(RecallTest, EveryExampleOfEverySettingFollowsTheDefinition) {
  for (const TaskSettings& s : ProtocolSettings(GetParam())) {
    SCOPED_TRACE(DescribeTaskSettings(s));
    for (Split split : {Split::kTrain, Split::kTest}) {
      const Batch batch = MustBatch(s, 2024, split, 0, 24);
      Seen seen;
      for (int b = 0; b < batch.batch_size; ++b) {
        SCOPED_TRACE(::testing::Message() << "example " << b);
        CheckRecall(s, batch.example(b), &seen);
        if (::testing::Test::HasFatalFailure()) return;
      }
      EXPECT_EQ(seen.probes, batch.num_probed());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Mad, RecallTest,
                         ::testing::Values(TaskKind::kInContextRecall, TaskKind::kNoisyRecall,
                                           TaskKind::kFuzzyRecall),
                         [](const ::testing::TestParamInfo<TaskKind>& info) {
                           return std::string(TaskName(info.param));
                         });

TEST(InContextRecallTest, ProbesAreThePairsWhoseKeyRepeats) {
  // With 8 keys and 64 pairs, the probe count is 64 minus the distinct keys shown.
  const TaskSettings s = BaselineSettings(TaskKind::kInContextRecall);
  const Batch batch = MustBatch(s, 3, Split::kTrain, 0, 50);
  for (int b = 0; b < batch.batch_size; ++b) {
    const ExampleView ex = batch.example(b);
    std::set<int32_t> keys;
    int probes = 0;
    for (int i = 0; i < s.seq_len; i += 2) keys.insert(ex.inputs[i]);
    for (uint8_t p : ex.probed) probes += p;
    EXPECT_EQ(probes, 64 - static_cast<int>(keys.size()));
  }
}

TEST(NoisyRecallTest, AboutAFifthOfTheSlotsAreNoise) {
  const TaskSettings s = BaselineSettings(TaskKind::kNoisyRecall);
  const Batch batch = MustBatch(s, 8, Split::kTrain, 0, 400);
  Seen seen;
  for (int b = 0; b < batch.batch_size; ++b) CheckPairRecall(s, batch.example(b), &seen);
  // 62 of the 64 slots may be noise (one never is, nor the last): 0.2 * 62 / 64 of all.
  EXPECT_NEAR(static_cast<double>(seen.noise_slots) / seen.slots, 0.2 * 62 / 64, 0.01);
}

TEST(FuzzyRecallTest, KeysAndValuesTakeEveryLengthFromOneToThree) {
  const TaskSettings s = BaselineSettings(TaskKind::kFuzzyRecall);
  const Batch batch = MustBatch(s, 4, Split::kTrain, 0, 20);
  Seen seen;
  for (int b = 0; b < batch.batch_size; ++b) CheckFuzzyRecall(s, batch.example(b), &seen);
  EXPECT_EQ(seen.key_lens, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(seen.value_lens, (std::set<int>{1, 2, 3}));
}

}  // namespace
}  // namespace nas::eval
