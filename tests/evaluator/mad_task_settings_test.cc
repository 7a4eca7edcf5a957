#include "evaluator/mad_task_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace nas::eval {
namespace {

using ::testing::HasSubstr;

TEST(TaskNameTest, NamesRoundTrip) {
  const char* names[] = {"in_context_recall", "fuzzy_recall", "noisy_recall",
                         "selective_copying", "compression",  "memorization"};
  int i = 0;
  for (TaskKind kind : kAllTaskKinds) {
    EXPECT_EQ(TaskName(kind), names[i++]);
    absl::StatusOr<TaskKind> parsed = ParseTaskKind(TaskName(kind));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, kind);
  }
}

TEST(TaskNameTest, UnknownNameIsNamedWithTheKnownOnes) {
  for (const char* bad : {"recall", "In_Context_Recall", "", "memorization "}) {
    absl::StatusOr<TaskKind> parsed = ParseTaskKind(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr(std::string("\"") + bad + "\""));
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr("in_context_recall, fuzzy_recall, noisy_recall, selective_copying, "
                          "compression, memorization"));
  }
}

// REFERENCE.md section 4, field by field.
TEST(BaselineSettingsTest, MatchReference) {
  const TaskSettings recall = BaselineSettings(TaskKind::kInContextRecall);
  EXPECT_EQ(recall.vocab_size, 16);
  EXPECT_EQ(recall.seq_len, 128);
  EXPECT_EQ(recall.num_train_examples, 12800);
  EXPECT_EQ(recall.num_test_examples, 1280);

  TaskSettings fuzzy = BaselineSettings(TaskKind::kFuzzyRecall);
  EXPECT_EQ(fuzzy.max_key_len, 3);
  EXPECT_EQ(fuzzy.max_value_len, 3);
  fuzzy.kind = TaskKind::kInContextRecall, fuzzy.max_key_len = fuzzy.max_value_len = 1;
  EXPECT_EQ(fuzzy, recall);  // "as recall"

  TaskSettings noisy = BaselineSettings(TaskKind::kNoisyRecall);
  EXPECT_EQ(noisy.vocab_size, 32);
  EXPECT_EQ(noisy.noise_vocab_size, 16);
  EXPECT_EQ(noisy.noise_fraction, 0.2);
  noisy.kind = TaskKind::kInContextRecall, noisy.vocab_size = 16;
  noisy.noise_vocab_size = 0, noisy.noise_fraction = 0;
  EXPECT_EQ(noisy, recall);

  const TaskSettings copying = BaselineSettings(TaskKind::kSelectiveCopying);
  EXPECT_EQ(copying.vocab_size, 16);
  EXPECT_EQ(copying.seq_len, 256);
  EXPECT_EQ(copying.num_tokens_to_copy, 16);
  EXPECT_EQ(copying.num_train_examples, 12800);

  const TaskSettings compression = BaselineSettings(TaskKind::kCompression);
  EXPECT_EQ(compression.vocab_size, 16);
  EXPECT_EQ(compression.seq_len, 32);
  EXPECT_EQ(compression.num_train_examples, 12800);

  const TaskSettings memorization = BaselineSettings(TaskKind::kMemorization);
  EXPECT_EQ(memorization.vocab_size, 256);
  EXPECT_EQ(memorization.seq_len, 32);
  EXPECT_EQ(memorization.num_train_examples, 256);

  for (TaskKind kind : kAllTaskKinds) {
    EXPECT_TRUE(ValidateTaskSettings(BaselineSettings(kind)).ok()) << TaskName(kind);
  }
}

TEST(ProtocolSettingsTest, BaselineFirstThenOneChangeAtATime) {
  const int expected_counts[] = {1 + 3 + 3 + 4, 1 + 3 + 3 + 4, 1 + 3 + 3 + 4 + 3,
                                 1 + 3 + 2 + 4 + 3, 1 + 3 + 3 + 4, 1 + 5};
  int k = 0;
  for (TaskKind kind : kAllTaskKinds) {
    const std::vector<TaskSettings> all = ProtocolSettings(kind);
    EXPECT_EQ(static_cast<int>(all.size()), expected_counts[k++]) << TaskName(kind);
    ASSERT_FALSE(all.empty());
    const TaskSettings& base = all[0];
    EXPECT_EQ(base, BaselineSettings(kind));
    for (size_t i = 1; i < all.size(); ++i) {
      const TaskSettings& s = all[i];
      EXPECT_TRUE(ValidateTaskSettings(s).ok()) << DescribeTaskSettings(s);
      const int changed = (s.vocab_size != base.vocab_size) + (s.seq_len != base.seq_len) +
                          (s.num_train_examples != base.num_train_examples) +
                          (s.noise_fraction != base.noise_fraction) +
                          (s.num_tokens_to_copy != base.num_tokens_to_copy);
      EXPECT_EQ(changed, 1) << DescribeTaskSettings(s);
      // Harder: never a smaller vocabulary, shorter sequence or more training data.
      EXPECT_GE(s.vocab_size, base.vocab_size);
      EXPECT_GE(s.seq_len, base.seq_len);
      EXPECT_LE(s.num_train_examples, base.num_train_examples);
      EXPECT_EQ(s.num_test_examples, base.num_test_examples);
    }
  }
}

TEST(ProtocolSettingsTest, NoisyRecallKeeps16NoiseTokensAndRaisesTheFraction) {
  std::vector<double> fractions;
  for (const TaskSettings& s : ProtocolSettings(TaskKind::kNoisyRecall)) {
    EXPECT_EQ(s.noise_vocab_size, 16);
    if (s.noise_fraction != 0.2) fractions.push_back(s.noise_fraction);
  }
  EXPECT_EQ(fractions, (std::vector<double>{0.4, 0.6, 0.8}));
}

// The error of `s` contains every piece of `expected`.
void ExpectInvalid(const TaskSettings& s, std::initializer_list<const char*> expected) {
  const absl::Status status = ValidateTaskSettings(s);
  ASSERT_FALSE(status.ok()) << DescribeTaskSettings(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  for (const char* piece : expected) {
    EXPECT_THAT(std::string(status.message()), HasSubstr(piece));
  }
}

TEST(ValidateTaskSettingsTest, ErrorsNameTheTaskAndTheField) {
  TaskSettings s = BaselineSettings(TaskKind::kInContextRecall);
  s.vocab_size = 1;
  ExpectInvalid(s, {"in_context_recall: ", "vocab_size 1"});
  s = BaselineSettings(TaskKind::kInContextRecall);
  s.seq_len = 127;
  ExpectInvalid(s, {"seq_len 127", "even"});
  s.seq_len = 2;
  ExpectInvalid(s, {"seq_len 2", "at least 4"});
  s = BaselineSettings(TaskKind::kCompression);
  s.num_train_examples = 0;
  ExpectInvalid(s, {"compression: ", "num_train_examples 0"});
  s = BaselineSettings(TaskKind::kCompression);
  s.num_test_examples = -3;
  ExpectInvalid(s, {"num_test_examples -3"});
  s.num_test_examples = 10;
  s.seq_len = 1;
  ExpectInvalid(s, {"seq_len 1"});
}

TEST(ValidateTaskSettingsTest, FieldsOfOtherTasksAreRefused) {
  TaskSettings s = BaselineSettings(TaskKind::kInContextRecall);
  s.noise_fraction = 0.2;
  ExpectInvalid(s, {"in_context_recall: ", "noise_fraction 0.2", "only for noisy_recall"});
  s = BaselineSettings(TaskKind::kCompression);
  s.max_key_len = 2;
  ExpectInvalid(s, {"compression: ", "max_key_len 2", "only for fuzzy_recall"});
  s = BaselineSettings(TaskKind::kMemorization);
  s.num_tokens_to_copy = 4;
  ExpectInvalid(s, {"memorization: ", "num_tokens_to_copy 4"});
  s = BaselineSettings(TaskKind::kFuzzyRecall);
  s.noise_vocab_size = 4;
  ExpectInvalid(s, {"fuzzy_recall: ", "noise_vocab_size 4"});
}

TEST(ValidateTaskSettingsTest, NoisyRecallNeedsNoiseTokensAndAFractionBelowOne) {
  TaskSettings s = BaselineSettings(TaskKind::kNoisyRecall);
  s.noise_fraction = 1.0;
  ExpectInvalid(s, {"noisy_recall: ", "noise_fraction 1", "[0, 1)"});
  s.noise_fraction = -0.1;
  ExpectInvalid(s, {"noise_fraction -0.1"});
  s = BaselineSettings(TaskKind::kNoisyRecall);
  s.noise_vocab_size = 31;
  ExpectInvalid(s, {"noise_vocab_size 31", "vocab_size 32"});
  s.noise_vocab_size = 0;
  ExpectInvalid(s, {"noise_vocab_size 0"});
}

TEST(ValidateTaskSettingsTest, FuzzyRecallNeedsEnoughDistinctTokensAndRoom) {
  TaskSettings s = BaselineSettings(TaskKind::kFuzzyRecall);
  s.max_key_len = 8;  // 7 key tokens
  ExpectInvalid(s, {"fuzzy_recall: ", "vocab_size 16", "7 key and 8 value tokens",
                    "at least 8 and 3"});
  s.max_key_len = std::numeric_limits<int>::max();
  ExpectInvalid(s, {"needs at least 2147483647 and 3"});
  s = BaselineSettings(TaskKind::kFuzzyRecall);
  s.max_value_len = 0;
  ExpectInvalid(s, {"max_value_len 0"});
  s = BaselineSettings(TaskKind::kFuzzyRecall);
  s.seq_len = 11;
  ExpectInvalid(s, {"seq_len 11", "at least 12"});
}

TEST(ValidateTaskSettingsTest, SelectiveCopyingNeedsRoomAndTokens) {
  TaskSettings s = BaselineSettings(TaskKind::kSelectiveCopying);
  s.seq_len = 33;
  ExpectInvalid(s, {"selective_copying: ", "seq_len 33", "= 34"});
  s.seq_len = 34;
  EXPECT_TRUE(ValidateTaskSettings(s).ok());
  s.num_tokens_to_copy = 0;
  ExpectInvalid(s, {"num_tokens_to_copy 0"});
  s = BaselineSettings(TaskKind::kSelectiveCopying);
  s.vocab_size = 2;
  ExpectInvalid(s, {"vocab_size 2", "at least 3"});
  s = BaselineSettings(TaskKind::kSelectiveCopying);
  s.num_tokens_to_copy = std::numeric_limits<int>::max();
  ExpectInvalid(s, {"seq_len 256 is too short to copy 2147483647 tokens"});
}

TEST(ValidateTaskSettingsTest, MemorizationNeedsAnInsertTokenAndPairs) {
  TaskSettings s = BaselineSettings(TaskKind::kMemorization);
  s.vocab_size = 2;
  ExpectInvalid(s, {"memorization: ", "vocab_size 2"});
  s = BaselineSettings(TaskKind::kMemorization);
  s.seq_len = 31;
  ExpectInvalid(s, {"seq_len 31", "even"});
}

TEST(DescribeTaskSettingsTest, NamesEveryFieldTheTaskUses) {
  EXPECT_EQ(DescribeTaskSettings(BaselineSettings(TaskKind::kNoisyRecall)),
            "noisy_recall vocab_size=32 seq_len=128 train=12800 test=1280 "
            "noise_vocab_size=16 noise_fraction=0.2");
  EXPECT_EQ(DescribeTaskSettings(BaselineSettings(TaskKind::kFuzzyRecall)),
            "fuzzy_recall vocab_size=16 seq_len=128 train=12800 test=1280 "
            "max_key_len=3 max_value_len=3");
  EXPECT_EQ(DescribeTaskSettings(BaselineSettings(TaskKind::kSelectiveCopying)),
            "selective_copying vocab_size=16 seq_len=256 train=12800 test=1280 "
            "num_tokens_to_copy=16");
  EXPECT_EQ(DescribeTaskSettings(BaselineSettings(TaskKind::kMemorization)),
            "memorization vocab_size=256 seq_len=32 train=256 test=1280");
}

}  // namespace
}  // namespace nas::eval
