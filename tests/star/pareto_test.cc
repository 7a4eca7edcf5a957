#include "star/pareto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace nas::star {
namespace {

using ::testing::ElementsAre;
using Fronts = std::vector<std::vector<int>>;
using Points = std::vector<std::vector<double>>;

constexpr double kInf = std::numeric_limits<double>::infinity();

Evaluation E(std::vector<double> objectives, double violation = 0.0) {
  return {std::move(objectives), violation};
}

TEST(DominatesTest, ParetoDominationForMinimisation) {
  const std::vector<double> a = {1, 2}, b = {2, 2}, c = {2, 1}, d = {1, 2};
  EXPECT_TRUE(Dominates(a, b));
  EXPECT_FALSE(Dominates(b, a));
  EXPECT_FALSE(Dominates(a, c));
  EXPECT_FALSE(Dominates(c, a));
  EXPECT_FALSE(Dominates(a, d));  // equal points do not dominate each other
}

TEST(ConstrainedDominatesTest, FollowsDebsRules) {
  const Evaluation feasible_bad = E({10, 10});
  const Evaluation feasible_good = E({1, 1});
  const Evaluation slightly_infeasible = E({0, 0}, 0.5);
  const Evaluation very_infeasible = E({-5, -5}, 2.0);
  const Evaluation also_very_infeasible = E({9, 9}, 2.0);
  // Feasible beats infeasible whatever the objectives.
  EXPECT_TRUE(ConstrainedDominates(feasible_bad, slightly_infeasible));
  EXPECT_FALSE(ConstrainedDominates(slightly_infeasible, feasible_bad));
  // Among infeasible: smaller violation wins, objectives ignored.
  EXPECT_TRUE(ConstrainedDominates(slightly_infeasible, very_infeasible));
  EXPECT_FALSE(ConstrainedDominates(very_infeasible, slightly_infeasible));
  EXPECT_FALSE(ConstrainedDominates(very_infeasible, also_very_infeasible));
  EXPECT_FALSE(ConstrainedDominates(also_very_infeasible, very_infeasible));
  // Among feasible: Pareto.
  EXPECT_TRUE(ConstrainedDominates(feasible_good, feasible_bad));
  EXPECT_FALSE(ConstrainedDominates(feasible_bad, feasible_good));
  // An infinite violation loses to any finite one.
  EXPECT_TRUE(ConstrainedDominates(very_infeasible, E({0, 0}, kInf)));
}

TEST(ValidateEvaluationsTest, RejectsBadInputWithTheIndex) {
  EXPECT_TRUE(ValidateEvaluations({}).ok());
  EXPECT_TRUE(ValidateEvaluations(std::vector{E({1, 2}), E({3, 4}, kInf)}).ok());
  const absl::Status mixed = ValidateEvaluations(std::vector{E({1, 2}), E({3})});
  EXPECT_EQ(mixed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(mixed.message()), ::testing::HasSubstr("evaluation 1"));
  EXPECT_FALSE(ValidateEvaluations(std::vector{E({})}).ok());
  EXPECT_FALSE(ValidateEvaluations(std::vector{E({1, NAN})}).ok());
  EXPECT_FALSE(ValidateEvaluations(std::vector{E({1, kInf})}).ok());
  EXPECT_FALSE(ValidateEvaluations(std::vector{E({1, 2}, -1)}).ok());
  EXPECT_FALSE(ValidateEvaluations(std::vector{E({1, 2}, NAN)}).ok());
}

TEST(NonDominatedSortTest, HandMadeFronts) {
  //  index: 0       1       2       3       4       5       6
  const Points points = {{1, 5}, {2, 3}, {4, 1}, {3, 4}, {5, 2}, {5, 5}, {2, 3}};
  // Front 0: (1,5) (2,3) (4,1) and the duplicate (2,3); front 1: (3,4) (5,2); front 2: (5,5).
  EXPECT_EQ(NonDominatedSort(points), (Fronts{{0, 1, 2, 6}, {3, 4}, {5}}));
  EXPECT_THAT(ParetoFront(points), ElementsAre(0, 1, 2, 6));
}

TEST(NonDominatedSortTest, ChainAndEmpty) {
  EXPECT_TRUE(NonDominatedSort(Points{}).empty());
  const Points chain = {{3, 3, 3}, {1, 1, 1}, {2, 2, 2}, {0, 4, 4}};
  EXPECT_EQ(NonDominatedSort(chain), (Fronts{{1, 3}, {2}, {0}}));
}

TEST(NonDominatedSortTest, ConstrainedRanksFeasibleFirstThenByViolation) {
  const std::vector<Evaluation> points = {
      E({0, 0}, 3.0),  // 0: best objectives, worst violation
      E({5, 5}),       // 1: feasible, dominated by 3
      E({1, 9}, 1.0),  // 2
      E({2, 2}),       // 3: feasible
      E({9, 1}, 1.0),  // 4: same violation as 2: same front
      E({4, 1}),       // 5: feasible, non-dominated
  };
  EXPECT_EQ(NonDominatedSort(points), (Fronts{{3, 5}, {1}, {2, 4}, {0}}));
  EXPECT_THAT(ParetoFront(points), ElementsAre(3, 5));
  // No feasible point: the least violated ones.
  const std::vector<Evaluation> infeasible = {E({0, 0}, 2), E({1, 1}, 1), E({2, 2}, 1)};
  EXPECT_THAT(ParetoFront(infeasible), ElementsAre(1, 2));
}

TEST(NonDominatedSortTest, EveryIndexExactlyOnceOnRandomSets) {
  // Cross-checks the fast sort against repeated peeling of ParetoFront.
  uint64_t x = 12345;
  auto next = [&] { return (x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 40; };
  for (int trial = 0; trial < 20; ++trial) {
    Points points;
    for (int i = 0; i < 60; ++i) {
      points.push_back({double(next() % 10), double(next() % 10), double(next() % 10)});
    }
    const Fronts fronts = NonDominatedSort(points);
    std::vector<int> remaining(points.size());
    for (size_t i = 0; i < points.size(); ++i) remaining[i] = static_cast<int>(i);
    for (const std::vector<int>& front : fronts) {
      Points rest;
      for (int i : remaining) rest.push_back(points[i]);
      std::vector<int> expected;
      for (int k : ParetoFront(rest)) expected.push_back(remaining[k]);
      ASSERT_EQ(front, expected);
      std::vector<int> next_remaining;
      for (int i : remaining) {
        if (!std::binary_search(front.begin(), front.end(), i)) next_remaining.push_back(i);
      }
      remaining = next_remaining;
    }
    EXPECT_TRUE(remaining.empty());
  }
}

TEST(CrowdingDistanceTest, HandMadeFront) {
  // On the line f1 + f2 = 4: sorted by f1 the interior gaps are (2-0)/4 and (4-1)/4 for f1,
  // the same for f2, so distances are 2 * 2/4 = 1 and 2 * 3/4 = 1.5.
  const Points points = {{4, 0}, {1, 3}, {0, 4}, {2, 2}};
  const std::vector<int> front = {0, 1, 2, 3};
  EXPECT_THAT(CrowdingDistance(points, front), ElementsAre(kInf, 1.0, kInf, 1.5));
}

TEST(CrowdingDistanceTest, SubsetOfIndicesAndUnequalRanges) {
  const Points points = {{99, 99}, {0, 10}, {1, 6}, {3, 2}, {4, 0}};
  const std::vector<int> front = {4, 3, 2, 1};  // order of the result follows `front`
  // f1 range 4: (3)->(4-1)/4, (2)->(3-0)/4; f2 range 10: (3)->(6-0)/10, (2)->(10-2)/10.
  const std::vector<double> d = CrowdingDistance(points, front);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0], kInf);
  EXPECT_DOUBLE_EQ(d[1], 0.75 + 0.6);
  EXPECT_DOUBLE_EQ(d[2], 0.75 + 0.8);
  EXPECT_EQ(d[3], kInf);
}

TEST(CrowdingDistanceTest, SmallFrontsAreAllInfinite) {
  const Points points = {{1, 2}, {2, 1}};
  EXPECT_THAT(CrowdingDistance(points, std::vector<int>{0, 1}), ElementsAre(kInf, kInf));
  EXPECT_THAT(CrowdingDistance(points, std::vector<int>{1}), ElementsAre(kInf));
  EXPECT_TRUE(CrowdingDistance(points, std::vector<int>{}).empty());
}

TEST(CrowdingDistanceTest, DuplicatesAreOrderedByIndex) {
  // Points 1 and 2 coincide. Sorted by f1 (ties by index): 0, 1, 2, 3 -> 1 gets (1-0)/2,
  // 2 gets (2-1)/2; by f2 (descending f1): 3, 1, 2, 0 -> 1 gets (1-0)/2, 2 gets (2-1)/2.
  const Points points = {{0, 2}, {1, 1}, {1, 1}, {2, 0}};
  EXPECT_THAT(CrowdingDistance(points, std::vector<int>{0, 1, 2, 3}),
              ElementsAre(kInf, 1.0, 1.0, kInf));
  // All identical: no objective has a range, nothing is at an extreme.
  const Points same = {{1, 1}, {1, 1}, {1, 1}};
  EXPECT_THAT(CrowdingDistance(same, std::vector<int>{0, 1, 2}), ElementsAre(0.0, 0.0, 0.0));
}

TEST(CrowdingDistanceTest, ConstantObjectiveAddsNothing) {
  const Points points = {{0, 5}, {1, 5}, {3, 5}};
  EXPECT_THAT(CrowdingDistance(points, std::vector<int>{0, 1, 2}),
              ElementsAre(kInf, 1.0, kInf));
}

TEST(CrowdingDistanceTest, EvaluationOverloadMatches) {
  const std::vector<Evaluation> points = {E({4, 0}), E({1, 3}, 2.0), E({0, 4}), E({2, 2})};
  EXPECT_THAT(CrowdingDistance(points, std::vector<int>{0, 1, 2, 3}),
              ElementsAre(kInf, 1.0, kInf, 1.5));
}

}  // namespace
}  // namespace nas::star
