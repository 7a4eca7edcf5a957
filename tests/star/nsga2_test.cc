#include "star/nsga2.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "star/nsga2_int_operators.h"
#include "star/test_problems.h"

namespace nas::star {
namespace {

// A small integer problem with a constraint: 8 genes in [0, 4]; minimise the sum and the
// sum of squared distances to 4, subject to gene 0 + gene 1 >= 2. Repair() rejects
// genomes whose last gene is 3 (to exercise discarding).
class ToyProblem : public Problem<IntGenome> {
 public:
  ToyProblem() : variation_(*IntVariation::Create(std::vector<GeneRange>(8, {0, 4}))) {}

  IntGenome Random(Rng& rng) const override { return variation_.Random(rng); }
  void Crossover(const IntGenome& a, const IntGenome& b, Rng& rng, IntGenome* c1,
                 IntGenome* c2) const override {
    variation_.Crossover(a, b, rng, c1, c2);
  }
  void Mutate(IntGenome* g, Rng& rng) const override { variation_.Mutate(g, rng); }
  bool Repair(IntGenome* g) const override { return variation_.Repair(g) && g->back() != 3; }
  std::string Key(const IntGenome& g) const override { return variation_.Key(g); }
  absl::StatusOr<Evaluation> Evaluate(const IntGenome& g) const override {
    ++evaluations_;
    double sum = 0, far = 0;
    for (int v : g) {
      sum += v;
      far += (4 - v) * (4 - v);
    }
    const double shortfall = 2.0 - (g[0] + g[1]);
    return Evaluation{{sum, far}, shortfall > 0 ? shortfall : 0.0};
  }

  mutable int evaluations_ = 0;

 private:
  IntVariation variation_;
};

// Two binary genes: only four genomes exist.
IntVariation TinySpace() { return *IntVariation::Create({{0, 1}, {0, 1}}, 0.5); }

class TinyProblem : public Problem<IntGenome> {
 public:
  IntGenome Random(Rng& rng) const override { return space_.Random(rng); }
  void Crossover(const IntGenome& a, const IntGenome& b, Rng& rng, IntGenome* c1,
                 IntGenome* c2) const override {
    space_.Crossover(a, b, rng, c1, c2);
  }
  void Mutate(IntGenome* g, Rng& rng) const override { space_.Mutate(g, rng); }
  std::string Key(const IntGenome& g) const override { return space_.Key(g); }
  absl::StatusOr<Evaluation> Evaluate(const IntGenome& g) const override {
    if (fail_) return absl::UnavailableError("device gone");
    return Evaluation{{double(g[0]), double(g[1])}, 0.0};
  }
  bool fail_ = false;

 private:
  IntVariation space_ = TinySpace();
};

template <typename Genome>
bool SamePopulation(const std::vector<Individual<Genome>>& a,
                    const std::vector<Individual<Genome>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].genome != b[i].genome || a[i].key != b[i].key ||
        !(a[i].evaluation == b[i].evaluation) || !(a[i].standing == b[i].standing)) {
      return false;
    }
  }
  return true;
}

TEST(InitialPopulationTest, DeduplicatesAgainstSeenAndItself) {
  const IntVariation space = TinySpace();
  Rng rng(1);
  absl::StatusOr<Offspring<IntGenome>> all =
      InitialPopulation<IntGenome>(space, 10, KeySet{}, VariationOptions{}, rng);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->genomes.size(), 4u);  // the whole space, then the attempt budget runs out
  EXPECT_EQ(all->attempts, 10 * VariationOptions{}.max_attempts_per_child);
  EXPECT_EQ(all->duplicates, all->attempts - 4);
  EXPECT_EQ(std::set<std::string>(all->keys.begin(), all->keys.end()).size(), 4u);

  const KeySet seen = {"0,0", "1,1"};
  absl::StatusOr<Offspring<IntGenome>> rest =
      InitialPopulation<IntGenome>(space, 2, seen, VariationOptions{}, rng);
  ASSERT_TRUE(rest.ok());
  EXPECT_THAT(std::set<std::string>(rest->keys.begin(), rest->keys.end()),
              ::testing::ElementsAre("0,1", "1,0"));
}

TEST(InitialPopulationTest, DiscardsUnrepairableGenomes) {
  const ToyProblem toy;
  Rng rng(2);
  absl::StatusOr<Offspring<IntGenome>> pop =
      InitialPopulation<IntGenome>(toy, 50, KeySet{}, VariationOptions{}, rng);
  ASSERT_TRUE(pop.ok());
  EXPECT_EQ(pop->genomes.size(), 50u);
  EXPECT_GT(pop->unrepairable, 0);
  for (const IntGenome& g : pop->genomes) EXPECT_NE(g.back(), 3);
  for (size_t i = 0; i < pop->genomes.size(); ++i) EXPECT_EQ(toy.Key(pop->genomes[i]), pop->keys[i]);
}

TEST(MakeOffspringTest, ChildrenAreNewValidAndDeterministic) {
  const ToyProblem toy;
  Rng rng(3);
  absl::StatusOr<Offspring<IntGenome>> parents =
      InitialPopulation<IntGenome>(toy, 20, KeySet{}, VariationOptions{}, rng);
  ASSERT_TRUE(parents.ok());
  const std::vector<Standing> standings(20, Standing{0, 1.0});
  const KeySet seen(parents->keys.begin(), parents->keys.end());
  Rng a = rng, b = rng;
  absl::StatusOr<Offspring<IntGenome>> kids = MakeOffspring<IntGenome>(
      toy, parents->genomes, standings, 30, seen, VariationOptions{}, a);
  absl::StatusOr<Offspring<IntGenome>> again = MakeOffspring<IntGenome>(
      toy, parents->genomes, standings, 30, seen, VariationOptions{}, b);
  ASSERT_TRUE(kids.ok()) << kids.status();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(kids->genomes, again->genomes);
  EXPECT_EQ(a, b);
  ASSERT_EQ(kids->genomes.size(), 30u);
  std::set<std::string> keys;
  for (size_t i = 0; i < kids->genomes.size(); ++i) {
    EXPECT_FALSE(seen.contains(kids->keys[i]));
    EXPECT_TRUE(keys.insert(kids->keys[i]).second);
    EXPECT_NE(kids->genomes[i].back(), 3);
  }
}

TEST(MakeOffspringTest, ExhaustedSpaceYieldsFewerChildren) {
  const IntVariation space = TinySpace();
  Rng rng(4);
  const std::vector<IntGenome> parents = {{0, 0}, {1, 1}};
  const std::vector<Standing> standings = {{0, 1.0}, {0, 1.0}};
  VariationOptions options;
  options.max_attempts_per_child = 20;
  absl::StatusOr<Offspring<IntGenome>> kids = MakeOffspring<IntGenome>(
      space, parents, standings, 5, KeySet{"0,0", "1,1"}, options, rng);
  ASSERT_TRUE(kids.ok());
  EXPECT_EQ(kids->genomes.size(), 2u);
  EXPECT_EQ(kids->attempts, 5 * 20);
}

TEST(MakeOffspringTest, RejectsBadArguments) {
  const IntVariation space = TinySpace();
  Rng rng(5);
  const std::vector<IntGenome> parents = {{0, 0}};
  const std::vector<Standing> one = {{0, 0.0}}, two = {{0, 0.0}, {0, 0.0}};
  EXPECT_FALSE(MakeOffspring<IntGenome>(space, {}, {}, 1, {}, {}, rng).ok());
  EXPECT_FALSE(MakeOffspring<IntGenome>(space, parents, two, 1, {}, {}, rng).ok());
  EXPECT_FALSE(MakeOffspring<IntGenome>(space, parents, one, -1, {}, {}, rng).ok());
  VariationOptions bad;
  bad.crossover_probability = 1.5;
  EXPECT_FALSE(MakeOffspring<IntGenome>(space, parents, one, 1, {}, bad, rng).ok());
  bad = {};
  bad.max_attempts_per_child = 0;
  EXPECT_FALSE(InitialPopulation<IntGenome>(space, 1, {}, bad, rng).ok());
}

TEST(RunSynchronouslyTest, SameSeedSameResultDifferentSeedDifferent) {
  const ToyProblem toy;
  Nsga2Options options;
  options.population_size = 24;
  options.generations = 15;
  options.seed = 99;
  absl::StatusOr<Nsga2Result<IntGenome>> first = RunSynchronously<IntGenome>(toy, options);
  absl::StatusOr<Nsga2Result<IntGenome>> second = RunSynchronously<IntGenome>(toy, options);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(SamePopulation(first->population, second->population));
  EXPECT_TRUE(SamePopulation(first->front, second->front));
  EXPECT_EQ(first->rng_state, second->rng_state);
  EXPECT_EQ(first->evaluations, 24 * 15);
  options.seed = 100;
  absl::StatusOr<Nsga2Result<IntGenome>> other = RunSynchronously<IntGenome>(toy, options);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(SamePopulation(first->population, other->population));
}

TEST(RunSynchronouslyTest, ConvergesToFeasibleOptimaOfTheToyProblem) {
  const ToyProblem toy;
  Nsga2Options options;
  options.population_size = 40;
  options.generations = 100;
  absl::StatusOr<Nsga2Result<IntGenome>> result = RunSynchronously<IntGenome>(toy, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(toy.evaluations_, result->evaluations);
  for (const Individual<IntGenome>& ind : result->population) {
    EXPECT_TRUE(ind.evaluation.feasible()) << ind.key;
    EXPECT_NE(ind.genome.back(), 3);
  }
  // The true front: genes 2..6 free only along sum/far trade-off, g0 + g1 >= 2. Its
  // extreme of least sum is 2 (e.g. "1,1,0,...,0" or "2,0,..."), which must be found.
  double least_sum = 1e9;
  for (const auto& ind : result->front) least_sum = std::min(least_sum, ind.evaluation.objectives[0]);
  EXPECT_EQ(least_sum, 2.0);
  // Every front member is non-dominated among all members.
  for (const auto& a : result->front) {
    for (const auto& b : result->front) EXPECT_FALSE(ConstrainedDominates(a.evaluation, b.evaluation));
  }
  // The population is in front order.
  for (size_t i = 1; i < result->population.size(); ++i) {
    EXPECT_LE(result->population[i - 1].standing.rank, result->population[i].standing.rank);
  }
}

TEST(RunSynchronouslyTest, StopsWhenTheSpaceIsExhausted) {
  const TinyProblem tiny;
  Nsga2Options options;
  options.population_size = 2;
  options.generations = 50;
  options.variation.max_attempts_per_child = 10;
  int observed = 0;
  absl::StatusOr<Nsga2Result<IntGenome>> result = RunSynchronously<IntGenome>(
      tiny, options, [&](int generation, std::span<const Individual<IntGenome>> population) {
        EXPECT_EQ(generation, ++observed);
        EXPECT_LE(population.size(), 2u);
      });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->evaluations, 4);
  EXPECT_LT(result->generations, 50);
  EXPECT_EQ(observed, result->generations);
  ASSERT_EQ(result->front.size(), 1u);
  EXPECT_EQ(result->front[0].key, "0,0");
}

TEST(RunSynchronouslyTest, PropagatesErrors) {
  TinyProblem tiny;
  tiny.fail_ = true;
  EXPECT_EQ(RunSynchronously<IntGenome>(tiny, Nsga2Options{}).status().code(),
            absl::StatusCode::kUnavailable);
  tiny.fail_ = false;
  Nsga2Options bad;
  bad.population_size = 0;
  EXPECT_EQ(RunSynchronously<IntGenome>(tiny, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.generations = 0;
  EXPECT_FALSE(RunSynchronously<IntGenome>(tiny, bad).ok());
}

// The coordinator's way: the steps by hand, with the state (population, seen keys, RNG
// state as text) dropped and rebuilt halfway. It must retrace RunSynchronously exactly.
TEST(StepwiseTest, ResumingFromSavedStateRetracesTheSynchronousRun) {
  absl::StatusOr<RealTestProblem> zdt = MakeZdt1(10);
  ASSERT_TRUE(zdt.ok());
  Nsga2Options options;
  options.population_size = 20;
  options.generations = 12;
  options.seed = 5;
  absl::StatusOr<Nsga2Result<RealGenome>> reference = RunSynchronously<RealGenome>(*zdt, options);
  ASSERT_TRUE(reference.ok());

  struct Saved {
    std::vector<RealGenome> genomes;
    std::vector<Evaluation> evaluations;
    std::vector<Standing> standings;
    KeySet seen;
    std::string rng_state;
  } saved;
  auto rng = std::make_unique<Rng>(options.seed);
  for (int generation = 1; generation <= options.generations; ++generation) {
    absl::StatusOr<Offspring<RealGenome>> batch =
        generation == 1
            ? InitialPopulation<RealGenome>(*zdt, 20, saved.seen, options.variation, *rng)
            : MakeOffspring<RealGenome>(*zdt, saved.genomes, saved.standings, 20, saved.seen,
                                        options.variation, *rng);
    ASSERT_TRUE(batch.ok());
    std::vector<RealGenome> pool = saved.genomes;
    std::vector<Evaluation> evaluations = saved.evaluations;
    for (size_t i = 0; i < batch->genomes.size(); ++i) {
      saved.seen.insert(batch->keys[i]);
      pool.push_back(batch->genomes[i]);
      evaluations.push_back(*zdt->Evaluate(batch->genomes[i]));  // "on a device"
    }
    absl::StatusOr<Survivors> survivors = SelectSurvivors(evaluations, 20);
    ASSERT_TRUE(survivors.ok());
    saved.genomes.clear();
    saved.evaluations.clear();
    for (int i : survivors->indices) {
      saved.genomes.push_back(pool[i]);
      saved.evaluations.push_back(evaluations[i]);
    }
    saved.standings = survivors->standings;
    saved.rng_state = rng->SaveState();
    if (generation == 6) {  // "crash" and resume from the stored state
      rng.reset();
      absl::StatusOr<Rng> restored = Rng::Restore(saved.rng_state);
      ASSERT_TRUE(restored.ok());
      rng = std::make_unique<Rng>(*restored);
    }
  }
  ASSERT_EQ(saved.genomes.size(), reference->population.size());
  for (size_t i = 0; i < saved.genomes.size(); ++i) {
    EXPECT_EQ(saved.genomes[i], reference->population[i].genome) << i;
    EXPECT_EQ(saved.standings[i], reference->population[i].standing) << i;
  }
  EXPECT_EQ(saved.rng_state, reference->rng_state);
}

}  // namespace
}  // namespace nas::star
