#include "evaluator/mad_vocabulary.h"

#include <gtest/gtest.h>

namespace nas::eval {
namespace {

void ExpectRange(TokenRange r, int32_t begin, int32_t end, const char* what) {
  EXPECT_EQ(r.begin, begin) << what;
  EXPECT_EQ(r.end, end) << what;
}

TEST(MadVocabularyTest, InContextRecallIsHalfKeysHalfValues) {
  const TaskVocabulary v = VocabularyOf(BaselineSettings(TaskKind::kInContextRecall));
  ExpectRange(v.keys, 0, 8, "keys");
  ExpectRange(v.values, 8, 16, "values");
  EXPECT_EQ(v.noise.size(), 0);
  EXPECT_EQ(v.pad, -1);
}

TEST(MadVocabularyTest, NoisyRecallHas16NoiseTokensInItsVocabularyOf32) {
  const TaskVocabulary v = VocabularyOf(BaselineSettings(TaskKind::kNoisyRecall));
  ExpectRange(v.keys, 0, 8, "keys");
  ExpectRange(v.values, 8, 16, "values");
  ExpectRange(v.noise, 16, 32, "noise");
}

TEST(MadVocabularyTest, FuzzyRecallKeepsTheTopTokenForPadding) {
  const TaskVocabulary v = VocabularyOf(BaselineSettings(TaskKind::kFuzzyRecall));
  ExpectRange(v.keys, 0, 7, "keys");
  ExpectRange(v.values, 7, 15, "values");
  EXPECT_EQ(v.pad, 15);
}

TEST(MadVocabularyTest, SelectiveCopyingHasBlankAndCopyTokens) {
  const TaskVocabulary v = VocabularyOf(BaselineSettings(TaskKind::kSelectiveCopying));
  ExpectRange(v.content, 0, 14, "content");
  EXPECT_EQ(v.blank, 14);
  EXPECT_EQ(v.copy, 15);
  EXPECT_EQ(v.keys.size(), 0);
}

TEST(MadVocabularyTest, CompressionHasACompressToken) {
  const TaskVocabulary v = VocabularyOf(BaselineSettings(TaskKind::kCompression));
  ExpectRange(v.content, 0, 15, "content");
  EXPECT_EQ(v.compress, 15);
}

TEST(MadVocabularyTest, MemorizationHasAnInsertToken) {
  const TaskVocabulary v = VocabularyOf(BaselineSettings(TaskKind::kMemorization));
  ExpectRange(v.keys, 0, 127, "keys");
  ExpectRange(v.values, 127, 255, "values");
  EXPECT_EQ(v.insert, 255);
}

TEST(TokenRangeTest, ContainsIsHalfOpen) {
  const TokenRange r{2, 5};
  EXPECT_FALSE(r.Contains(1));
  EXPECT_TRUE(r.Contains(2));
  EXPECT_TRUE(r.Contains(4));
  EXPECT_FALSE(r.Contains(5));
  EXPECT_EQ(r.size(), 3);
}

}  // namespace
}  // namespace nas::eval
