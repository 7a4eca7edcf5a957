// NSGA-II against published behaviour on the classic problems (30-variable ZDT1 and ZDT2,
// Binh-Korn, Osyczka-Kramer): population 100, 250 generations (25,000 evaluations), SBX
// eta_c = 15 with probability 0.9, polynomial mutation eta_m = 20 with probability 1/n.
//
// Two sets are measured: the final population (100 points) and the run's front (every
// evaluated candidate no other dominates, which is what a campaign reports). On ZDT2 no
// set of 100 points can reach 99% of the continuous front's hypervolume w.r.t. (1.1, 1.1):
// 100 points evenly spaced *on* the true front give 0.53830 / 0.54333 = 99.07%, so the
// 99% requirement applies to the run's front and the population gets a bound just below
// that ceiling.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "star/hypervolume.h"
#include "star/nsga2.h"
#include "star/test_problems.h"

namespace nas::star {
namespace {

struct Figures {
  double population_hv = 0;
  double front_hv = 0;
  int infeasible = 0;
  size_t front_size = 0;
};

Figures RunNsga2(const RealTestProblem& problem, const std::vector<double>& ref, uint64_t seed) {
  Nsga2Options options;
  options.population_size = 100;
  options.generations = 250;
  options.seed = seed;
  absl::StatusOr<Nsga2Result<RealGenome>> result = RunSynchronously<RealGenome>(problem, options);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  EXPECT_EQ(result->evaluations, 25000);
  Figures figures;
  std::vector<Evaluation> population, front;
  for (const auto& ind : result->population) {
    population.push_back(ind.evaluation);
    figures.infeasible += !ind.evaluation.feasible();
  }
  for (const auto& ind : result->front) {
    front.push_back(ind.evaluation);
    figures.infeasible += !ind.evaluation.feasible();
  }
  figures.population_hv = *Hypervolume(population, ref);
  figures.front_hv = *Hypervolume(front, ref);
  figures.front_size = front.size();
  return figures;
}

void Print(const char* name, const Figures& f, double truth) {
  std::printf("%s: population HV %.6f (%.2f%%), front HV %.6f (%.2f%%, %zu points), true %.6f\n",
              name, f.population_hv, 100 * f.population_hv / truth, f.front_hv,
              100 * f.front_hv / truth, f.front_size, truth);
}

TEST(Nsga2KnownResultsTest, Zdt1ReachesNinetyNinePercentOfTheTrueHypervolume) {
  absl::StatusOr<RealTestProblem> zdt1 = MakeZdt1(30);
  ASSERT_TRUE(zdt1.ok());
  const double truth = Zdt1FrontHypervolume(1.1, 1.1);  // 1.21 - 1/3
  const Figures f = RunNsga2(*zdt1, {1.1, 1.1}, 1);
  Print("ZDT1", f, truth);
  EXPECT_GE(f.population_hv, 0.99 * truth);
  EXPECT_GE(f.front_hv, 0.99 * truth);
}

TEST(Nsga2KnownResultsTest, Zdt2ReachesNinetyNinePercentOfTheTrueHypervolume) {
  absl::StatusOr<RealTestProblem> zdt2 = MakeZdt2(30);
  ASSERT_TRUE(zdt2.ok());
  const double truth = Zdt2FrontHypervolume(1.1, 1.1);  // 1.21 - 2/3
  const Figures f = RunNsga2(*zdt2, {1.1, 1.1}, 1);
  Print("ZDT2", f, truth);
  EXPECT_GE(f.front_hv, 0.99 * truth);
  EXPECT_GE(f.population_hv, 0.985 * truth);  // the 100-point ceiling is 99.07%
}

TEST(Nsga2KnownResultsTest, BinhKornReturnsOnlyFeasiblePoints) {
  absl::StatusOr<RealTestProblem> bk = MakeBinhKorn();
  ASSERT_TRUE(bk.ok());
  const double truth = BinhKornFrontHypervolume(140, 50);
  const Figures f = RunNsga2(*bk, {140, 50}, 1);
  Print("Binh-Korn", f, truth);
  EXPECT_EQ(f.infeasible, 0);
  EXPECT_GE(f.population_hv, 0.99 * truth);
  EXPECT_GE(f.front_hv, 0.995 * truth);
}

TEST(Nsga2KnownResultsTest, OsyczkaKramerReturnsOnlyFeasiblePoints) {
  // Six constraints, active all along the front: the harder test of constrained domination.
  absl::StatusOr<RealTestProblem> osy = MakeOsyczkaKramer();
  ASSERT_TRUE(osy.ok());
  const std::vector<double> ref = {0, 80};
  const double truth = *Hypervolume(OsyczkaKramerFront(2000), ref);
  const Figures f = RunNsga2(*osy, ref, 1);
  Print("Osyczka-Kramer", f, truth);
  EXPECT_EQ(f.infeasible, 0);
  EXPECT_GE(f.population_hv, 0.97 * truth);
  EXPECT_GE(f.front_hv, 0.97 * truth);
}

}  // namespace
}  // namespace nas::star
