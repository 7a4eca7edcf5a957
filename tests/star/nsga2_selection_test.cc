#include "star/nsga2_selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace nas::star {
namespace {

using ::testing::ElementsAre;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<Evaluation> LineFrontPlusOne() {
  // Front 0 on f1 + f2 = 4 with crowding inf, 1.5, 1.25, 0.5, inf; front 1 is index 5.
  return {{{0, 4}, 0}, {{1, 3}, 0}, {{3, 1}, 0}, {{3.5, 0.5}, 0}, {{4, 0}, 0}, {{5, 5}, 0}};
}

TEST(SelectSurvivorsTest, KeepsEveryoneWhenThereIsRoom) {
  absl::StatusOr<Survivors> s = SelectSurvivors(LineFrontPlusOne(), 10);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->indices, ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(s->standings, ElementsAre(Standing{0, kInf}, Standing{0, 1.5}, Standing{0, 1.25},
                                        Standing{0, 0.5}, Standing{0, kInf}, Standing{1, kInf}));
}

TEST(SelectSurvivorsTest, TruncatesTheSplitFrontByCrowding) {
  absl::StatusOr<Survivors> four = SelectSurvivors(LineFrontPlusOne(), 4);
  ASSERT_TRUE(four.ok());
  EXPECT_THAT(four->indices, ElementsAre(0, 1, 2, 4));  // 3 is the most crowded
  absl::StatusOr<Survivors> two = SelectSurvivors(LineFrontPlusOne(), 2);
  ASSERT_TRUE(two.ok());
  EXPECT_THAT(two->indices, ElementsAre(0, 4));  // the extremes
  absl::StatusOr<Survivors> five = SelectSurvivors(LineFrontPlusOne(), 5);
  ASSERT_TRUE(five.ok());
  EXPECT_THAT(five->indices, ElementsAre(0, 1, 2, 3, 4));  // the whole first front, exactly
  absl::StatusOr<Survivors> none = SelectSurvivors(LineFrontPlusOne(), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->indices.empty());
}

TEST(SelectSurvivorsTest, TiesInCrowdingGoToTheLowerIndex) {
  // Evenly spaced: the three interior points have equal distances.
  const std::vector<Evaluation> even = {
      {{4, 0}, 0}, {{3, 1}, 0}, {{2, 2}, 0}, {{1, 3}, 0}, {{0, 4}, 0}};
  absl::StatusOr<Survivors> s = SelectSurvivors(even, 3);
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->indices, ElementsAre(0, 1, 4));
}

TEST(SelectSurvivorsTest, FeasibleFirstThenLeastViolated) {
  const std::vector<Evaluation> points = {
      {{0, 0}, 2.0},  // 0: infeasible, great objectives
      {{9, 9}, 0.0},  // 1: feasible but poor
      {{1, 1}, 0.5},  // 2: slightly infeasible
      {{8, 1}, 0.0},  // 3: feasible
      {{0, 0}, 0.5},  // 4: slightly infeasible, same violation as 2
  };
  absl::StatusOr<Survivors> s = SelectSurvivors(points, 4);
  ASSERT_TRUE(s.ok());
  // Fronts: {3}, {1}, {2, 4}, {0}.
  EXPECT_THAT(s->indices, ElementsAre(3, 1, 2, 4));
  EXPECT_EQ(s->standings[0].rank, 0);
  EXPECT_EQ(s->standings[1].rank, 1);
  EXPECT_EQ(s->standings[2].rank, 2);
  EXPECT_EQ(s->standings[3].rank, 2);
}

TEST(SelectSurvivorsTest, RejectsInvalidInput) {
  EXPECT_FALSE(SelectSurvivors(LineFrontPlusOne(), -1).ok());
  const std::vector<Evaluation> mixed = {{{0, 1}, 0}, {{0}, 0}};
  EXPECT_EQ(SelectSurvivors(mixed, 2).status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<Evaluation> nan = {{{0, NAN}, 0}};
  EXPECT_FALSE(SelectSurvivors(nan, 2).ok());
}

TEST(CrowdedBetterTest, RankThenCrowding) {
  EXPECT_TRUE(CrowdedBetter({0, 0.1}, {1, kInf}));
  EXPECT_TRUE(CrowdedBetter({1, 2.0}, {1, 1.0}));
  EXPECT_FALSE(CrowdedBetter({1, 1.0}, {1, 1.0}));
  EXPECT_TRUE(CrowdedBetter({2, kInf}, {2, 5.0}));
}

TEST(BinaryTournamentTest, WinRatesFollowTheCrowdedOrder) {
  // Ranks 0, 1, 2: member 0 wins whenever drawn (2/3 of pairs), member 1 only against 2.
  const std::vector<Standing> standings = {{0, 1.0}, {1, 1.0}, {2, 1.0}};
  Rng rng(4);
  std::vector<int> wins(3, 0);
  const int draws = 30000;
  for (int i = 0; i < draws; ++i) ++wins[BinaryTournament(standings, rng)];
  EXPECT_NEAR(wins[0], draws * 2 / 3, 400);
  EXPECT_NEAR(wins[1], draws / 3, 400);
  EXPECT_EQ(wins[2], 0);
  const std::vector<Standing> one = {{3, 0.0}};
  EXPECT_EQ(BinaryTournament(one, rng), 0);
}

TEST(BinaryTournamentTest, DeterministicForASeed) {
  const std::vector<Standing> standings = {{0, 1.0}, {0, 2.0}, {1, kInf}, {0, kInf}, {2, 0.0}};
  Rng a(77), b(77);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(BinaryTournament(standings, a), BinaryTournament(standings, b));
  }
}

}  // namespace
}  // namespace nas::star
