// Benchmarks of the NSGA-II steps the coordinator runs once per generation, on an
// architecture-sized integer genome (48 genes of 2-8 values) with random objective vectors
// (10% infeasible): SelectSurvivors over parents + offspring, MakeOffspring (tournaments,
// 2-point crossover, per-gene mutation, repair, deduplication against 10,000 seen keys),
// both together (BM_Generation: the engine's cost per generation, to set against the
// minutes of device time each candidate takes), and the exact hypervolume used for reports
// and HV-improvement ranking, on mutually non-dominated points (its worst case).

#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "star/hypervolume.h"
#include "star/nsga2.h"
#include "star/nsga2_int_operators.h"
#include "star/rng.h"

namespace nas::star {
namespace {

IntVariation ArchLikeVariation() {
  std::vector<GeneRange> ranges;
  for (int i = 0; i < 48; ++i) ranges.push_back({0, 1 + i % 7});
  return *IntVariation::Create(std::move(ranges));
}

std::vector<Evaluation> RandomEvaluations(int n, int objectives, Rng& rng) {
  std::vector<Evaluation> out(n);
  for (Evaluation& e : out) {
    for (int m = 0; m < objectives; ++m) e.objectives.push_back(rng.UniformDouble());
    e.violation = rng.Bernoulli(0.1) ? rng.UniformDouble() : 0.0;
  }
  return out;
}

KeySet SeenKeys(const IntVariation& variation, int count, Rng& rng) {
  KeySet seen;
  while (static_cast<int>(seen.size()) < count) seen.insert(variation.Key(variation.Random(rng)));
  return seen;
}

void BM_SelectSurvivors(benchmark::State& state) {
  const int objectives = static_cast<int>(state.range(0));
  const int population = static_cast<int>(state.range(1));
  Rng rng(1);
  const std::vector<Evaluation> pool = RandomEvaluations(2 * population, objectives, rng);
  for (auto _ : state) {
    absl::StatusOr<Survivors> s = SelectSurvivors(pool, population);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * 2 * population);
}
BENCHMARK(BM_SelectSurvivors)->ArgsProduct({{2, 3, 4}, {100, 200}})->ArgNames({"obj", "pop"});

void BM_MakeOffspring(benchmark::State& state) {
  const int population = static_cast<int>(state.range(0));
  const IntVariation variation = ArchLikeVariation();
  Rng rng(2);
  std::vector<IntGenome> parents;
  for (int i = 0; i < population; ++i) parents.push_back(variation.Random(rng));
  absl::StatusOr<Survivors> ranked = SelectSurvivors(RandomEvaluations(population, 3, rng),
                                                     population);
  const KeySet seen = SeenKeys(variation, 10000, rng);
  for (auto _ : state) {
    absl::StatusOr<Offspring<IntGenome>> kids = MakeOffspring<IntGenome>(
        variation, parents, ranked->standings, population, seen, VariationOptions{}, rng);
    benchmark::DoNotOptimize(kids);
  }
  state.SetItemsProcessed(state.iterations() * population);
}
BENCHMARK(BM_MakeOffspring)->Arg(100)->Arg(200)->ArgName("pop");

// One generation of the engine: survivors of parents + offspring, then the next offspring.
void BM_Generation(benchmark::State& state) {
  const int objectives = static_cast<int>(state.range(0));
  const int population = 100;
  const IntVariation variation = ArchLikeVariation();
  Rng rng(3);
  std::vector<IntGenome> pool;
  for (int i = 0; i < 2 * population; ++i) pool.push_back(variation.Random(rng));
  const std::vector<Evaluation> evaluations = RandomEvaluations(2 * population, objectives, rng);
  const KeySet seen = SeenKeys(variation, 10000, rng);
  for (auto _ : state) {
    absl::StatusOr<Survivors> s = SelectSurvivors(evaluations, population);
    std::vector<IntGenome> parents;
    parents.reserve(population);
    for (int i : s->indices) parents.push_back(pool[i]);
    absl::StatusOr<Offspring<IntGenome>> kids = MakeOffspring<IntGenome>(
        variation, parents, s->standings, population, seen, VariationOptions{}, rng);
    benchmark::DoNotOptimize(kids);
  }
  state.SetItemsProcessed(state.iterations() * population);  // offspring per second
}
BENCHMARK(BM_Generation)->DenseRange(2, 4)->ArgName("obj");

void BM_Hypervolume(benchmark::State& state) {
  const int objectives = static_cast<int>(state.range(0));
  const int points = static_cast<int>(state.range(1));
  Rng rng(4);
  // Mutually non-dominated points (on the unit sphere): the expensive case.
  std::vector<std::vector<double>> set(points, std::vector<double>(objectives));
  for (auto& p : set) {
    double norm = 0;
    for (double& x : p) {
      x = rng.UniformDouble(0.05, 1.0);
      norm += x * x;
    }
    for (double& x : p) x /= std::sqrt(norm);
  }
  const std::vector<double> ref(objectives, 1.1);
  for (auto _ : state) {
    absl::StatusOr<double> hv = Hypervolume(set, ref);
    benchmark::DoNotOptimize(hv);
  }
  state.SetItemsProcessed(state.iterations() * points);
}
BENCHMARK(BM_Hypervolume)->ArgsProduct({{2, 3, 4, 5}, {100, 300}})->ArgNames({"obj", "points"});

}  // namespace
}  // namespace nas::star

BENCHMARK_MAIN();
