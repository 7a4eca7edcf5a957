#include "star/hypervolume.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "star/rng.h"

namespace nas::star {
namespace {

using Points = std::vector<std::vector<double>>;

double Hv(const Points& points, const std::vector<double>& ref) {
  absl::StatusOr<double> hv = Hypervolume(points, ref);
  EXPECT_TRUE(hv.ok()) << hv.status();
  return hv.value_or(-1);
}

// Independent slow reference: the grid of every distinct coordinate splits the reference
// box into cells, each wholly dominated or not; a cell is dominated when a point weakly
// dominates its lower corner.
double GridHypervolume(const Points& points, const std::vector<double>& ref) {
  const size_t d = ref.size();
  std::vector<std::vector<double>> cuts(d);
  for (size_t m = 0; m < d; ++m) {
    for (const auto& p : points) {
      if (p[m] < ref[m]) cuts[m].push_back(p[m]);
    }
    std::sort(cuts[m].begin(), cuts[m].end());
    cuts[m].erase(std::unique(cuts[m].begin(), cuts[m].end()), cuts[m].end());
    cuts[m].push_back(ref[m]);
    if (cuts[m].size() < 2) return 0.0;  // nothing below the reference in this objective
  }
  std::vector<size_t> cell(d, 0);
  double volume = 0;
  for (;;) {
    bool dominated = false;
    for (const auto& p : points) {
      bool all = true;
      for (size_t m = 0; m < d && all; ++m) all = p[m] <= cuts[m][cell[m]];
      if (all) {
        dominated = true;
        break;
      }
    }
    if (dominated) {
      double v = 1;
      for (size_t m = 0; m < d; ++m) v *= cuts[m][cell[m] + 1] - cuts[m][cell[m]];
      volume += v;
    }
    size_t m = 0;
    while (m < d && ++cell[m] + 1 >= cuts[m].size()) cell[m++] = 0;
    if (m == d) return volume;
  }
}

Points RandomPoints(Rng& rng, int n, int d, bool integer) {
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    for (double& x : p) x = integer ? static_cast<double>(rng.UniformInt(0, 5)) : rng.UniformDouble();
  }
  return points;
}

// Mutually non-dominated points on the positive unit sphere (the hard case).
Points SpherePoints(Rng& rng, int n, int d) {
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    double norm = 0;
    for (double& x : p) {
      x = rng.UniformDouble(0.05, 1.0);
      norm += x * x;
    }
    for (double& x : p) x /= std::sqrt(norm);
  }
  return points;
}

TEST(HypervolumeTest, TwoDimensionalStaircase) {
  EXPECT_DOUBLE_EQ(Hv({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(Hv({{3, 1}, {1, 3}, {2, 2}, {2, 2}, {3, 3}}, {4, 4}), 6.0);  // order, dups
  EXPECT_DOUBLE_EQ(Hv({}, {4, 4}), 0.0);
}

TEST(HypervolumeTest, PointsNotDominatingTheReferenceContributeNothing) {
  EXPECT_DOUBLE_EQ(Hv({{4, 1}, {5, 0}, {1, 4}, {-1, 7}}, {4, 4}), 0.0);
  EXPECT_DOUBLE_EQ(Hv({{4, 1}, {2, 2}}, {4, 4}), 4.0);
  EXPECT_DOUBLE_EQ(Hv({{1, 1, 5}, {1, 1, 1}}, {2, 2, 2}), 1.0);
}

TEST(HypervolumeTest, ThreeDimensionalHandCases) {
  EXPECT_DOUBLE_EQ(Hv({{1, 1, 1}}, {2, 3, 4}), 6.0);
  // Boxes of 4 and 2 overlapping in a unit cube.
  EXPECT_DOUBLE_EQ(Hv({{0, 0, 1}, {1, 1, 0}}, {2, 2, 2}), 5.0);
  // Inclusion-exclusion: 3 * 4 - 3 * 2 + 1.
  EXPECT_DOUBLE_EQ(Hv({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {2, 2, 2}), 7.0);
  // A dominated point and a duplicate change nothing.
  EXPECT_DOUBLE_EQ(Hv({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {0, 1, 0}}, {2, 2, 2}), 7.0);
}

TEST(HypervolumeTest, UnitVectorsCoverAllButOneCell) {
  // The unit vectors of R^d with reference 2 leave only [0, 1)^d uncovered: 2^d - 1.
  for (int d = 1; d <= 6; ++d) {
    Points points(d, std::vector<double>(d, 0.0));
    for (int i = 0; i < d; ++i) points[i][i] = 1.0;
    EXPECT_DOUBLE_EQ(Hv(points, std::vector<double>(d, 2.0)), std::pow(2.0, d) - 1) << d;
  }
}

TEST(HypervolumeTest, MatchesTheGridReferenceOnRandomSets) {
  Rng rng(17);
  for (int d = 2; d <= 5; ++d) {
    for (int trial = 0; trial < 30; ++trial) {
      const bool integer = trial % 2 == 0;  // integer coordinates: many ties
      const int n = 1 + static_cast<int>(rng.Below(d >= 5 ? 9 : 14));
      const Points points = RandomPoints(rng, n, d, integer);
      const std::vector<double> ref(d, integer ? 5.0 : 1.0);  // some points on or past it
      EXPECT_NEAR(Hv(points, ref), GridHypervolume(points, ref), 1e-9)
          << "d=" << d << " trial=" << trial;
    }
  }
}

TEST(HypervolumeTest, MatchesTheGridReferenceOnNonDominatedSets) {
  Rng rng(23);
  for (int d = 3; d <= 5; ++d) {
    const Points points = SpherePoints(rng, d == 5 ? 9 : 14, d);
    const std::vector<double> ref(d, 1.1);
    EXPECT_NEAR(Hv(points, ref), GridHypervolume(points, ref), 1e-9) << d;
  }
}

TEST(HypervolumeTest, AgreesWithMonteCarloOnALargerSet) {
  Rng rng(31);
  const Points points = SpherePoints(rng, 60, 4);
  const std::vector<double> ref(4, 1.0);
  const double exact = Hv(points, ref);
  int inside = 0;
  const int samples = 200000;
  for (int s = 0; s < samples; ++s) {
    std::vector<double> x(4);
    for (double& v : x) v = rng.UniformDouble();
    for (const auto& p : points) {
      if (p[0] <= x[0] && p[1] <= x[1] && p[2] <= x[2] && p[3] <= x[3]) {
        ++inside;
        break;
      }
    }
  }
  const double estimate = static_cast<double>(inside) / samples;  // box volume 1
  const double sigma = std::sqrt(estimate * (1 - estimate) / samples);
  EXPECT_NEAR(exact, estimate, 5 * sigma);
}

// At the scale of a real front (its speed is star-nsga2-bench's BM_Hypervolume): the order
// of the points and points they dominate change nothing.
TEST(HypervolumeTest, FiveObjectivesOfHundredsOfPointsIgnoreOrderAndDominatedPoints) {
  Rng rng(41);
  const Points points = SpherePoints(rng, 200, 5);
  const std::vector<double> ref(5, 1.1);
  const double hv = Hv(points, ref);
  EXPECT_GT(hv, 0.0);
  EXPECT_LT(hv, std::pow(1.1, 5));
  Points reversed(points.rbegin(), points.rend());
  EXPECT_NEAR(Hv(reversed, ref), hv, 1e-12 * hv);
  Points with_dominated = points;
  for (const auto& p : points) {
    std::vector<double> worse = p;
    for (double& x : worse) x = std::min(x + 0.01, 1.09);
    with_dominated.push_back(worse);
  }
  EXPECT_NEAR(Hv(with_dominated, ref), hv, 1e-12 * hv);
}

TEST(HypervolumeTest, EvaluationsCountOnlyFeasiblePoints) {
  const std::vector<Evaluation> points = {{{1, 3}, 0}, {{2, 2}, 0}, {{0, 0}, 1.5}, {{3, 1}, 0}};
  absl::StatusOr<double> hv = Hypervolume(points, std::vector<double>{4, 4});
  ASSERT_TRUE(hv.ok());
  EXPECT_DOUBLE_EQ(*hv, 6.0);
}

TEST(HypervolumeTest, ImprovementIsTheDifference) {
  Rng rng(5);
  for (int d = 2; d <= 4; ++d) {
    const Points points = SpherePoints(rng, 20, d);
    const std::vector<double> ref(d, 1.1);
    const std::vector<double> candidate(d, 0.5);
    Points with = points;
    with.push_back(candidate);
    absl::StatusOr<double> gain = HypervolumeImprovement(points, candidate, ref);
    ASSERT_TRUE(gain.ok());
    EXPECT_NEAR(*gain, Hv(with, ref) - Hv(points, ref), 1e-12) << d;
    EXPECT_GT(*gain, 0.0);
  }
  // A dominated candidate or one outside the box adds nothing.
  EXPECT_EQ(*HypervolumeImprovement(Points{{1, 1}}, std::vector<double>{2, 2}, std::vector<double>{3, 3}),
            0.0);
  EXPECT_EQ(*HypervolumeImprovement(Points{}, std::vector<double>{4, 0}, std::vector<double>{3, 3}), 0.0);
  EXPECT_DOUBLE_EQ(
      *HypervolumeImprovement(Points{}, std::vector<double>{1, 2}, std::vector<double>{3, 3}), 2.0);
}

TEST(HypervolumeTest, RejectsInvalidInput) {
  EXPECT_EQ(Hypervolume(Points{{1, 2}}, std::vector<double>{}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Hypervolume(Points{{1, 2, 3}}, std::vector<double>{4, 4}).ok());
  EXPECT_FALSE(Hypervolume(Points{{1, NAN}}, std::vector<double>{4, 4}).ok());
  EXPECT_FALSE(Hypervolume(Points{{1, 2}}, std::vector<double>{4, INFINITY}).ok());
  EXPECT_FALSE(HypervolumeImprovement(Points{{1}}, std::vector<double>{1, 1},
                                      std::vector<double>{2, 2})
                   .ok());
  const std::vector<Evaluation> bad = {{{1, 2}, -1}};
  EXPECT_FALSE(Hypervolume(bad, std::vector<double>{4, 4}).ok());
}

}  // namespace
}  // namespace nas::star
