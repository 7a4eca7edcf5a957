#include "star/nsga2_real_operators.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nas::star {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(RealOperatorsTest, FixedSeedsGiveFixedResults) {
  const std::vector<RealBounds> bounds(4, RealBounds{0, 1});
  const RealGenome a = {0.1, 0.5, 0.9, 0.3}, b = {0.2, 0.5, 0.4, 0.8};
  RealGenome c1, c2;
  Rng cross(5);
  SbxCrossover(bounds, 15, 0.5, a, b, cross, &c1, &c2);
  // Only the first variable was drawn for crossover (the second has equal parents).
  EXPECT_THAT(c1, ElementsAre(DoubleNear(0.099281248682766915, 1e-12), 0.5, 0.9, 0.3));
  EXPECT_THAT(c2, ElementsAre(DoubleNear(0.20071875137294415, 1e-12), 0.5, 0.4, 0.8));
  Rng mutate(6);
  RealGenome m = a;
  PolynomialMutation(bounds, 20, 0.5, mutate, &m);
  EXPECT_THAT(m, ElementsAre(0.1, 0.5, 0.9, DoubleNear(0.25465930670191222, 1e-12)));
}

TEST(RealOperatorsTest, SbxChildrenStayWithinBounds) {
  const std::vector<RealBounds> bounds = {{0, 1}, {-5, 5}, {2, 3}};
  Rng rng(1);
  for (int i = 0; i < 5000; ++i) {
    const RealGenome a = RandomRealGenome(bounds, rng), b = RandomRealGenome(bounds, rng);
    RealGenome c1, c2;
    SbxCrossover(bounds, 2.0, 1.0, a, b, rng, &c1, &c2);  // low eta: wide spread
    for (size_t k = 0; k < bounds.size(); ++k) {
      ASSERT_GE(c1[k], bounds[k].lower);
      ASSERT_LE(c1[k], bounds[k].upper);
      ASSERT_GE(c2[k], bounds[k].lower);
      ASSERT_LE(c2[k], bounds[k].upper);
    }
  }
}

TEST(RealOperatorsTest, SbxSpreadShrinksWithEta) {
  const std::vector<RealBounds> bounds = {{0, 1}};
  auto mean_distance = [&](double eta) {
    Rng rng(2);
    double sum = 0;
    for (int i = 0; i < 4000; ++i) {
      RealGenome c1, c2;
      SbxCrossover(bounds, eta, 1.0, RealGenome{0.4}, RealGenome{0.6}, rng, &c1, &c2);
      sum += std::fabs(c1[0] - c2[0]);
    }
    return sum / 4000;
  };
  const double wide = mean_distance(1), narrow = mean_distance(50);
  EXPECT_GT(wide, narrow);
  EXPECT_NEAR(narrow, 0.2, 0.02);  // high eta: children near the parents
}

TEST(RealOperatorsTest, SbxCopiesEqualParentsAndUntouchedVariables) {
  const std::vector<RealBounds> bounds(3, RealBounds{0, 1});
  Rng rng(3);
  RealGenome c1, c2;
  SbxCrossover(bounds, 15, 1.0, RealGenome{0.3, 0.3, 0.3}, RealGenome{0.3, 0.3, 0.3}, rng, &c1,
               &c2);
  EXPECT_THAT(c1, ElementsAre(0.3, 0.3, 0.3));
  SbxCrossover(bounds, 15, 0.0, RealGenome{0.1, 0.2, 0.3}, RealGenome{0.4, 0.5, 0.6}, rng, &c1,
               &c2);
  EXPECT_THAT(c1, ElementsAre(0.1, 0.2, 0.3));
  EXPECT_THAT(c2, ElementsAre(0.4, 0.5, 0.6));
}

TEST(RealOperatorsTest, PolynomialMutationStaysWithinBoundsAndIsLocal) {
  const std::vector<RealBounds> bounds = {{0, 1}, {-2, 2}};
  Rng rng(4);
  double total_move = 0;
  for (int i = 0; i < 5000; ++i) {
    RealGenome g = {i % 3 == 0 ? 0.0 : (i % 3 == 1 ? 1.0 : 0.5), 2.0};  // at and off bounds
    const RealGenome before = g;
    PolynomialMutation(bounds, 20, 1.0, rng, &g);
    ASSERT_GE(g[0], 0.0);
    ASSERT_LE(g[0], 1.0);
    ASSERT_GE(g[1], -2.0);
    ASSERT_LE(g[1], 2.0);
    total_move += std::fabs(g[0] - before[0]);
  }
  EXPECT_LT(total_move / 5000, 0.05);  // eta 20 perturbs by a few percent of the range
  RealGenome g = {0.5, 0.5};
  PolynomialMutation(bounds, 20, 0.0, rng, &g);
  EXPECT_THAT(g, ElementsAre(0.5, 0.5));
}

TEST(RealVariationTest, CreateValidatesAndDefaultsMutationTo1OverN) {
  EXPECT_FALSE(RealVariation::Create({}).ok());
  EXPECT_FALSE(RealVariation::Create({{1, 1}}).ok());
  EXPECT_FALSE(RealVariation::Create({{0, INFINITY}}).ok());
  RealOperatorOptions bad;
  bad.crossover_eta = -1;
  EXPECT_FALSE(RealVariation::Create({{0, 1}}, bad).ok());
  bad = {};
  bad.mutation_probability = 2;
  EXPECT_FALSE(RealVariation::Create({{0, 1}}, bad).ok());
  absl::StatusOr<RealVariation> v = RealVariation::Create(std::vector<RealBounds>(4));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->options().mutation_probability, 0.25);
}

TEST(RealVariationTest, RepairClampsAndKeysDistinguishGenomes) {
  absl::StatusOr<RealVariation> v = RealVariation::Create({{0, 1}, {-1, 1}});
  ASSERT_TRUE(v.ok());
  RealGenome g = {1.5, NAN};
  EXPECT_TRUE(v->Repair(&g));
  EXPECT_THAT(g, ElementsAre(1.0, -1.0));
  RealGenome short_genome = {0.5};
  EXPECT_TRUE(v->Repair(&short_genome));
  EXPECT_THAT(short_genome, ElementsAre(0.5, -1.0));
  EXPECT_EQ(v->Key({0.5, 0.25}), v->Key({0.5, 0.25}));
  EXPECT_NE(v->Key({0.5, 0.25}), v->Key({0.5, std::nextafter(0.25, 1.0)}));
  EXPECT_EQ(v->Key({0.5, 0.25}).size(), 16u);
}

}  // namespace
}  // namespace nas::star
