#include "evaluator/counter_rng.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace nas::eval {
namespace {

TEST(SplitMix64Test, MatchesThePublishedSequence) {
  // splitmix64.c (Vigna) from state 0: its first outputs.
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64Next(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64Next(&state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64Next(&state), 0x06c45d188009454fULL);
  EXPECT_EQ(state, 3 * kSplitMix64Gamma);
  EXPECT_EQ(SplitMix64(0), 0xe220a8397b1dcdafULL);
}

TEST(UniformBelowTest, RejectsTheBiasedTopOfTheRange) {
  // For n = 3, 2^64 mod 3 = 1: a draw of 0 is rejected, the next one (7) gives 7 % 3.
  std::array<uint64_t, 2> draws = {0, 7};
  size_t next = 0;
  EXPECT_EQ(UniformBelow(3, [&] { return draws[next++]; }), 1u);
  EXPECT_EQ(next, 2u);
  EXPECT_EQ(UniformBelow(1, [&]() -> uint64_t { ADD_FAILURE() << "drew"; return 0; }), 0u);
}

TEST(UnitIntervalTest, UsesTheTop53Bits) {
  EXPECT_EQ(UnitInterval(0), 0.0);
  EXPECT_EQ(UnitInterval(~0ULL), 1.0 - 0x1.0p-53);
  EXPECT_EQ(UnitInterval(1ULL << 63), 0.5);
}

TEST(CounterRngTest, SameKeySameStreamOtherKeysDiffer) {
  CounterRng a(7, 1, 5), b(7, 1, 5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b.Next());
  std::set<uint64_t> firsts;
  for (uint64_t seed : {0, 1, 7})
    for (uint64_t stream : {0, 1, 2})
      for (uint64_t index : {0, 1, 2, 1000}) firsts.insert(CounterRng(seed, stream, index).Next());
  EXPECT_EQ(firsts.size(), 3u * 3u * 4u);
}

TEST(CounterRngTest, BelowCoversItsRangeEvenly) {
  CounterRng rng(1, 2, 3);
  std::array<int, 7> counts{};
  for (int i = 0; i < 70000; ++i) {
    const int32_t v = rng.Below(7);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 7);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  EXPECT_EQ(rng.Below(1), 0);
}

TEST(CounterRngTest, BernoulliHasItsProbability) {
  CounterRng rng(3, 2, 1);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += rng.Bernoulli(0.2);
  EXPECT_NEAR(hits, 20000, 600);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(rng.Bernoulli(0.0));
    EXPECT_TRUE(rng.Bernoulli(1.0));
  }
}

}  // namespace
}  // namespace nas::eval
