#include "star/test_problems.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "star/hypervolume.h"

namespace nas::star {
namespace {

TEST(TestProblemsTest, ZdtOptimaLieOnTheirFronts) {
  std::vector<double> x(30, 0.0);
  x[0] = 0.25;
  EXPECT_DOUBLE_EQ(Zdt1(x).objectives[1], 0.5);
  EXPECT_DOUBLE_EQ(Zdt2(x).objectives[1], 1 - 0.0625);
  x[5] = 1.0;  // g = 1 + 9/29
  const double g = 1 + 9.0 / 29;
  EXPECT_DOUBLE_EQ(Zdt1(x).objectives[1], g * (1 - std::sqrt(0.25 / g)));
  EXPECT_EQ(Zdt1(x).violation, 0.0);
}

TEST(TestProblemsTest, ExactFrontHypervolumesMatchDenseSamples) {
  // A dense sample falls short of the continuous front by O(1/samples).
  const std::vector<double> ref = {1.1, 1.1};
  const double zdt1 = *Hypervolume(Zdt1Front(20001), ref);
  const double zdt2 = *Hypervolume(Zdt2Front(20001), ref);
  EXPECT_NEAR(Zdt1FrontHypervolume(1.1, 1.1), 1.21 - 1.0 / 3, 1e-15);
  EXPECT_NEAR(Zdt2FrontHypervolume(1.1, 1.1), 1.21 - 2.0 / 3, 1e-15);
  EXPECT_LT(zdt1, Zdt1FrontHypervolume(1.1, 1.1));
  EXPECT_NEAR(zdt1, Zdt1FrontHypervolume(1.1, 1.1), 1e-4);
  EXPECT_LT(zdt2, Zdt2FrontHypervolume(1.1, 1.1));
  EXPECT_NEAR(zdt2, Zdt2FrontHypervolume(1.1, 1.1), 1e-4);
  const double bk = *Hypervolume(BinhKornFront(50001), std::vector<double>{140, 50});
  EXPECT_LT(bk, BinhKornFrontHypervolume(140, 50));
  EXPECT_NEAR(bk, BinhKornFrontHypervolume(140, 50), 0.05);
  EXPECT_NEAR(BinhKornFrontHypervolume(140, 50), 5285.0 + 1.0 / 3, 1e-9);
}

TEST(TestProblemsTest, BinhKornConstraints) {
  EXPECT_EQ(BinhKorn(std::vector<double>{0, 0}).violation, 0.0);
  EXPECT_DOUBLE_EQ(BinhKorn(std::vector<double>{0, 3}).violation, 9.0);  // 25 + 9 - 25
  const Evaluation e = BinhKorn(std::vector<double>{5, 3});
  EXPECT_EQ(e.objectives, (std::vector<double>{136, 4}));
  for (const auto& p : BinhKornFront(11)) EXPECT_EQ(p.size(), 2u);
}

TEST(TestProblemsTest, OsyczkaKramerFrontIsFeasibleAndSpansTheKnownRange) {
  const std::vector<std::vector<double>> front = OsyczkaKramerFront(200);
  ASSERT_GT(front.size(), 100u);
  double lo_f1 = 0, hi_f2 = 0;
  for (const auto& p : front) {
    lo_f1 = std::min(lo_f1, p[0]);
    hi_f2 = std::max(hi_f2, p[1]);
  }
  EXPECT_NEAR(lo_f1, -274, 1e-9);  // x = (5, 1, 5, 0, 5, 0)
  EXPECT_NEAR(hi_f2, 76, 1e-9);
  // A point of each segment is feasible.
  EXPECT_EQ(OsyczkaKramer(std::vector<double>{5, 1, 3, 0, 5, 0}).violation, 0.0);
  EXPECT_EQ(OsyczkaKramer(std::vector<double>{5, 1, 2, 0, 1, 0}).violation, 0.0);
  EXPECT_EQ(OsyczkaKramer(std::vector<double>{4.5, 2.5 / 3, 1, 0, 1, 0}).violation, 0.0);
  EXPECT_EQ(OsyczkaKramer(std::vector<double>{0, 2, 2, 0, 1, 0}).violation, 0.0);
  EXPECT_EQ(OsyczkaKramer(std::vector<double>{0.5, 1.5, 1, 0, 1, 0}).violation, 0.0);
  EXPECT_GT(OsyczkaKramer(std::vector<double>{0, 0, 1, 0, 1, 0}).violation, 0.0);  // x1+x2 < 2
}

TEST(TestProblemsTest, FactoriesValidate) {
  EXPECT_FALSE(MakeZdt1(1).ok());
  EXPECT_TRUE(MakeZdt2(2).ok());
  absl::StatusOr<RealTestProblem> bk = MakeBinhKorn();
  ASSERT_TRUE(bk.ok());
  EXPECT_FALSE(bk->Evaluate({1.0}).ok());
  EXPECT_EQ(bk->variation().bounds().size(), 2u);
  absl::StatusOr<RealTestProblem> osy = MakeOsyczkaKramer();
  ASSERT_TRUE(osy.ok());
  EXPECT_EQ(osy->variation().bounds().size(), 6u);
}

}  // namespace
}  // namespace nas::star
