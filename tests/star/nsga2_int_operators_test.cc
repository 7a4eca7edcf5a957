#include "star/nsga2_int_operators.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace nas::star {
namespace {

using ::testing::ElementsAre;

const std::vector<GeneRange> kRanges = {{0, 3}, {-2, 2}, {5, 5}, {0, 9},
                                        {1, 2}, {0, 7},  {-1, 1}, {0, 3}};

TEST(IntOperatorsTest, RandomGenomesStayInRangeAndCoverIt) {
  Rng rng(1);
  std::vector<std::map<int32_t, int>> seen(kRanges.size());
  for (int i = 0; i < 2000; ++i) {
    const IntGenome g = RandomIntGenome(kRanges, rng);
    ASSERT_TRUE(CheckIntGenome(kRanges, g).ok());
    for (size_t k = 0; k < g.size(); ++k) ++seen[k][g[k]];
  }
  for (size_t k = 0; k < kRanges.size(); ++k) {
    EXPECT_EQ(seen[k].size(), static_cast<size_t>(kRanges[k].max - kRanges[k].min + 1)) << k;
  }
}

TEST(IntOperatorsTest, FixedSeedsGiveFixedResults) {
  Rng rng(2024);
  EXPECT_THAT(RandomIntGenome(kRanges, rng), ElementsAre(2, 1, 5, 1, 2, 7, 0, 0));

  const IntGenome a = {0, 0, 5, 0, 1, 0, 0, 0}, b = {3, 2, 5, 9, 2, 7, 1, 3};
  IntGenome c1, c2;
  Rng cross(7);
  TwoPointCrossover(a, b, cross, &c1, &c2);
  EXPECT_THAT(c1, ElementsAre(0, 2, 5, 9, 1, 0, 0, 0));
  EXPECT_THAT(c2, ElementsAre(3, 0, 5, 0, 2, 7, 1, 3));
  TwoPointCrossover(a, b, cross, &c1, &c2);
  EXPECT_THAT(c1, ElementsAre(0, 0, 5, 9, 2, 7, 0, 0));
  EXPECT_THAT(c2, ElementsAre(3, 2, 5, 0, 1, 0, 1, 3));

  Rng mutate(11);
  IntGenome m = b;
  PerGeneMutation(kRanges, 0.5, mutate, &m);
  EXPECT_THAT(m, ElementsAre(0, -2, 5, 4, 2, 7, 0, 0));
}

TEST(IntOperatorsTest, TwoPointCrossoverSwapsOneInnerSegment) {
  Rng rng(3);
  for (int n = 3; n <= 9; ++n) {
    const IntGenome zeros(n, 0), ones(n, 1);
    std::map<std::pair<int, int>, int> segments;
    for (int trial = 0; trial < 400; ++trial) {
      IntGenome c1, c2;
      TwoPointCrossover(zeros, ones, rng, &c1, &c2);
      // c1 = 0..0 1..1 0..0 with both ends from its own parent; c2 its complement.
      ASSERT_EQ(c1.front(), 0);
      ASSERT_EQ(c1.back(), 0);
      int lo = -1, hi = -1;
      for (int i = 0; i < n; ++i) {
        ASSERT_EQ(c1[i] + c2[i], 1);
        if (c1[i] == 1 && lo < 0) lo = i;
        if (c1[i] == 1) hi = i + 1;
      }
      ASSERT_GE(lo, 1);
      for (int i = lo; i < hi; ++i) ASSERT_EQ(c1[i], 1) << "segment not contiguous";
      ++segments[{lo, hi}];
    }
    // Every pair of distinct cut points among 1..n-1 occurs.
    EXPECT_EQ(segments.size(), static_cast<size_t>((n - 1) * (n - 2) / 2)) << n;
  }
}

TEST(IntOperatorsTest, CrossoverChildrenStayInRange) {
  Rng rng(8);
  for (int i = 0; i < 500; ++i) {
    const IntGenome a = RandomIntGenome(kRanges, rng), b = RandomIntGenome(kRanges, rng);
    IntGenome c1, c2;
    TwoPointCrossover(a, b, rng, &c1, &c2);
    ASSERT_TRUE(CheckIntGenome(kRanges, c1).ok());
    ASSERT_TRUE(CheckIntGenome(kRanges, c2).ok());
    for (size_t k = 0; k < a.size(); ++k) {
      ASSERT_TRUE((c1[k] == a[k] && c2[k] == b[k]) || (c1[k] == b[k] && c2[k] == a[k]));
    }
  }
}

TEST(IntOperatorsTest, CrossoverOfShortOrMismatchedGenomes) {
  Rng rng(1);
  IntGenome c1, c2;
  TwoPointCrossover(IntGenome{1, 2}, IntGenome{3, 4}, rng, &c1, &c2);
  EXPECT_THAT(c1, ElementsAre(1, 4));
  EXPECT_THAT(c2, ElementsAre(3, 2));
  TwoPointCrossover(IntGenome{1}, IntGenome{3}, rng, &c1, &c2);
  EXPECT_THAT(c1, ElementsAre(1));
  TwoPointCrossover(IntGenome{1, 2, 3}, IntGenome{4, 5}, rng, &c1, &c2);
  EXPECT_THAT(c1, ElementsAre(1, 2, 3));
  EXPECT_THAT(c2, ElementsAre(4, 5));
}

TEST(IntOperatorsTest, MutationMovesToAnotherValidValueUniformly) {
  const std::vector<GeneRange> ranges = {{-1, 3}};  // 5 values; from 1: -1, 0, 2, 3
  Rng rng(5);
  std::map<int32_t, int> counts;
  for (int i = 0; i < 40000; ++i) {
    IntGenome g = {1};
    PerGeneMutation(ranges, 1.0, rng, &g);
    ++counts[g[0]];
  }
  EXPECT_EQ(counts.count(1), 0u);
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [value, count] : counts) EXPECT_NEAR(count, 10000, 500) << value;
}

TEST(IntOperatorsTest, MutationProbabilityIsPerGene) {
  const std::vector<GeneRange> ranges(50, GeneRange{0, 1});
  Rng rng(6);
  int changed = 0;
  const int trials = 400;
  for (int t = 0; t < trials; ++t) {
    IntGenome g(50, 0);
    PerGeneMutation(ranges, 0.1, rng, &g);
    for (int v : g) changed += v;
  }
  EXPECT_NEAR(changed, 0.1 * 50 * trials, 150);  // ~5 sigma
  IntGenome g(50, 0);
  PerGeneMutation(ranges, 0.0, rng, &g);
  EXPECT_EQ(g, IntGenome(50, 0));
}

TEST(IntOperatorsTest, MutationKeepsEveryGeneInRange) {
  Rng rng(9);
  for (int i = 0; i < 1000; ++i) {
    IntGenome g = RandomIntGenome(kRanges, rng);
    const IntGenome before = g;
    PerGeneMutation(kRanges, 1.0, rng, &g);
    ASSERT_TRUE(CheckIntGenome(kRanges, g).ok());
    for (size_t k = 0; k < g.size(); ++k) {
      if (kRanges[k].min != kRanges[k].max) {
        ASSERT_NE(g[k], before[k]) << k;
      }
    }
  }
  IntGenome out_of_range = {7, 7, 7, 7, 7, 7, 7, 7};
  PerGeneMutation(kRanges, 1.0, rng, &out_of_range);
  EXPECT_TRUE(CheckIntGenome(kRanges, out_of_range).ok());
}

TEST(IntVariationTest, CreateValidates) {
  EXPECT_FALSE(IntVariation::Create({}).ok());
  EXPECT_FALSE(IntVariation::Create({{0, 1}, {3, 2}}).ok());
  EXPECT_FALSE(IntVariation::Create({{0, 1}}, 1.5).ok());
  EXPECT_FALSE(IntVariation::Create({{0, 1}}, NAN).ok());
  absl::StatusOr<IntVariation> v = IntVariation::Create({{0, 1}, {2, 4}});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->mutation_probability(), 0.1);
}

TEST(IntVariationTest, RepairClampsAndResizesKeyIsPrintable) {
  absl::StatusOr<IntVariation> v = IntVariation::Create({{0, 1}, {2, 4}, {-3, -1}});
  ASSERT_TRUE(v.ok());
  IntGenome g = {5, -7};
  EXPECT_TRUE(v->Repair(&g));
  EXPECT_THAT(g, ElementsAre(1, 2, -3));
  EXPECT_EQ(v->Key(g), "1,2,-3");
  IntGenome long_genome = {0, 3, -2, 9};
  EXPECT_TRUE(v->Repair(&long_genome));
  EXPECT_THAT(long_genome, ElementsAre(0, 3, -2));
}

TEST(IntVariationTest, CheckIntGenomeNamesTheGene) {
  const absl::Status s = CheckIntGenome(kRanges, IntGenome{0, 0, 4, 0, 1, 0, 0, 0});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("gene 2"));
  EXPECT_FALSE(CheckIntGenome(kRanges, IntGenome{0}).ok());
}

}  // namespace
}  // namespace nas::star
