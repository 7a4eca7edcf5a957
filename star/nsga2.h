// The NSGA-II generational loop (Deb et al. 2002), generic over the genome type and cut
// into steps the asynchronous coordinator can interleave with remote evaluation and
// SQLite checkpoints:
//   InitialPopulation  -> evaluate -> SelectSurvivors (ranks them)
//   loop: MakeOffspring -> evaluate -> SelectSurvivors(parents + offspring)
// Each step is a pure function of its inputs and the Rng, so storing the population, the
// seen keys and Rng::SaveState() between steps resumes a search exactly. Offspring come
// from binary tournaments on (rank, crowding), crossover with a given probability,
// mutation and repair, and are deduplicated by key against everything seen before and
// against each other. RunSynchronously() chains the steps for problems that evaluate
// locally (tests, benchmarks). Thread-safety: as safe as the Variation / Problem passed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "star/nsga2_problem.h"
#include "star/nsga2_selection.h"
#include "star/pareto.h"
#include "star/rng.h"

namespace nas::star {

using KeySet = std::unordered_set<std::string>;

struct VariationOptions {
  double crossover_probability = 0.9;  // otherwise the children are copies of the parents
  // A batch of `count` children may make at most count * max_attempts_per_child candidates
  // (duplicates and unrepairable ones included); then it returns what it has, which is how
  // an exhausted search space shows.
  int max_attempts_per_child = 50;
};

struct Nsga2Options {
  int population_size = 100;
  // Evaluated populations, the initial one included (pymoo's n_gen): at most
  // population_size * generations evaluations.
  int generations = 250;
  uint64_t seed = 1;
  VariationOptions variation;
};

// InvalidArgument naming the offending field.
absl::Status ValidateVariationOptions(const VariationOptions& options);
absl::Status ValidateNsga2Options(const Nsga2Options& options);

template <typename Genome>
struct Offspring {
  std::vector<Genome> genomes;    // repaired, distinct, none of them in `seen`
  std::vector<std::string> keys;  // Key() of each genome
  int attempts = 0;               // candidates made (accepted or not)
  int duplicates = 0;             // rejected: key already seen
  int unrepairable = 0;           // rejected: Repair() returned false
};

namespace nsga2_internal {

// Mutates (unless `fresh`), repairs and deduplicates one candidate into `out`.
template <typename Genome>
void Consider(const Variation<Genome>& variation, Genome genome, bool fresh, const KeySet& seen,
              KeySet* batch, Rng& rng, Offspring<Genome>* out) {
  ++out->attempts;
  if (!fresh) variation.Mutate(&genome, rng);
  if (!variation.Repair(&genome)) {
    ++out->unrepairable;
    return;
  }
  std::string key = variation.Key(genome);
  if (seen.contains(key) || batch->contains(key)) {
    ++out->duplicates;
    return;
  }
  batch->insert(key);
  out->keys.push_back(std::move(key));
  out->genomes.push_back(std::move(genome));
}

}  // namespace nsga2_internal

// Up to `count` random genomes, repaired and deduplicated against `seen` and each other.
template <typename Genome>
absl::StatusOr<Offspring<Genome>> InitialPopulation(const Variation<Genome>& variation,
                                                    int count, const KeySet& seen,
                                                    const VariationOptions& options, Rng& rng) {
  if (absl::Status s = ValidateVariationOptions(options); !s.ok()) return s;
  if (count < 0) return absl::InvalidArgumentError(absl::StrCat("count ", count, " < 0"));
  Offspring<Genome> out;
  KeySet batch;
  const int64_t budget = static_cast<int64_t>(count) * options.max_attempts_per_child;
  while (static_cast<int>(out.genomes.size()) < count && out.attempts < budget) {
    nsga2_internal::Consider(variation, variation.Random(rng), /*fresh=*/true, seen, &batch, rng,
                             &out);
  }
  return out;
}

// Up to `count` children of `parents`, whose standings (from SelectSurvivors) drive the
// tournaments. Each pair of tournament winners is recombined with probability
// options.crossover_probability (else copied); both children are mutated, repaired and
// kept unless their key is in `seen` or already in the batch.
template <typename Genome>
absl::StatusOr<Offspring<Genome>> MakeOffspring(const Variation<Genome>& variation,
                                                std::span<const Genome> parents,
                                                std::span<const Standing> standings, int count,
                                                const KeySet& seen,
                                                const VariationOptions& options, Rng& rng) {
  if (absl::Status s = ValidateVariationOptions(options); !s.ok()) return s;
  if (count < 0) return absl::InvalidArgumentError(absl::StrCat("count ", count, " < 0"));
  if (parents.empty()) return absl::InvalidArgumentError("no parents");
  if (parents.size() != standings.size()) {
    return absl::InvalidArgumentError(absl::StrCat(parents.size(), " parents but ",
                                                   standings.size(), " standings"));
  }
  Offspring<Genome> out;
  KeySet batch;
  const int64_t budget = static_cast<int64_t>(count) * options.max_attempts_per_child;
  while (static_cast<int>(out.genomes.size()) < count && out.attempts < budget) {
    const Genome& a = parents[BinaryTournament(standings, rng)];
    const Genome& b = parents[BinaryTournament(standings, rng)];
    Genome child_a = a, child_b = b;
    if (rng.Bernoulli(options.crossover_probability)) {
      variation.Crossover(a, b, rng, &child_a, &child_b);
    }
    nsga2_internal::Consider(variation, std::move(child_a), /*fresh=*/false, seen, &batch, rng,
                             &out);
    if (static_cast<int>(out.genomes.size()) < count) {
      nsga2_internal::Consider(variation, std::move(child_b), /*fresh=*/false, seen, &batch,
                               rng, &out);
    }
  }
  return out;
}

template <typename Genome>
struct Individual {
  Genome genome;
  std::string key;
  Evaluation evaluation;
  Standing standing;  // in the population it belongs to
};

template <typename Genome>
struct Nsga2Result {
  std::vector<Individual<Genome>> population;  // the last survivors, front by front
  // The candidates no other evaluated candidate constrained-dominates, over the whole run
  // (what a campaign's Pareto report shows), in evaluation order; standing unset.
  std::vector<Individual<Genome>> front;
  int generations = 0;                         // evaluated populations
  int evaluations = 0;
  std::string rng_state;  // Rng::SaveState() at the end
};

// Called after each generation's survivor selection (generation 1 = the initial one).
template <typename Genome>
using GenerationObserver =
    std::function<void(int generation, std::span<const Individual<Genome>> population)>;

namespace nsga2_internal {

template <typename Genome>
absl::Status EvaluateInto(const Problem<Genome>& problem, Offspring<Genome>&& batch,
                          std::vector<Individual<Genome>>* pool) {
  for (size_t i = 0; i < batch.genomes.size(); ++i) {
    absl::StatusOr<Evaluation> e = problem.Evaluate(batch.genomes[i]);
    if (!e.ok()) return e.status();
    pool->push_back({std::move(batch.genomes[i]), std::move(batch.keys[i]), *std::move(e), {}});
  }
  return absl::OkStatus();
}

// Adds `candidate` to a set of mutually non-dominated individuals unless one of them
// constrained-dominates it, dropping those it dominates.
template <typename Genome>
void AddToFront(const Individual<Genome>& candidate, std::vector<Individual<Genome>>* front) {
  for (const Individual<Genome>& member : *front) {
    if (ConstrainedDominates(member.evaluation, candidate.evaluation)) return;
  }
  std::erase_if(*front, [&](const Individual<Genome>& member) {
    return ConstrainedDominates(candidate.evaluation, member.evaluation);
  });
  front->push_back(candidate);
}

template <typename Genome>
absl::StatusOr<std::vector<Individual<Genome>>> Survive(std::vector<Individual<Genome>>&& pool,
                                                        std::span<const Evaluation> evaluations,
                                                        int population_size) {
  absl::StatusOr<Survivors> survivors = SelectSurvivors(evaluations, population_size);
  if (!survivors.ok()) return survivors.status();
  std::vector<Individual<Genome>> next;
  next.reserve(survivors->indices.size());
  for (size_t k = 0; k < survivors->indices.size(); ++k) {
    next.push_back(std::move(pool[survivors->indices[k]]));
    next.back().standing = survivors->standings[k];
  }
  return next;
}

}  // namespace nsga2_internal

// The whole search with local evaluation, fully determined by options.seed. Stops early
// if a generation yields no new candidate (search space exhausted).
template <typename Genome>
absl::StatusOr<Nsga2Result<Genome>> RunSynchronously(
    const Problem<Genome>& problem, const Nsga2Options& options,
    const GenerationObserver<Genome>& observer = {}) {
  if (absl::Status s = ValidateNsga2Options(options); !s.ok()) return s;
  Rng rng(options.seed);
  KeySet seen;
  Nsga2Result<Genome> result;
  std::vector<Individual<Genome>> population;
  for (int generation = 1; generation <= options.generations; ++generation) {
    absl::StatusOr<Offspring<Genome>> batch;
    if (generation == 1) {
      batch = InitialPopulation<Genome>(problem, options.population_size, seen, options.variation, rng);
    } else {
      std::vector<Genome> parents;
      std::vector<Standing> standings;
      for (const Individual<Genome>& ind : population) {
        parents.push_back(ind.genome);
        standings.push_back(ind.standing);
      }
      batch = MakeOffspring<Genome>(problem, parents, standings, options.population_size, seen,
                                    options.variation, rng);
    }
    if (!batch.ok()) return batch.status();
    if (batch->genomes.empty()) break;
    for (const std::string& key : batch->keys) seen.insert(key);
    result.evaluations += static_cast<int>(batch->genomes.size());
    std::vector<Individual<Genome>> pool = std::move(population);
    const size_t first_new = pool.size();
    if (absl::Status s = nsga2_internal::EvaluateInto(problem, *std::move(batch), &pool);
        !s.ok()) {
      return s;
    }
    std::vector<Evaluation> evaluations;
    evaluations.reserve(pool.size());
    for (const Individual<Genome>& ind : pool) evaluations.push_back(ind.evaluation);
    if (absl::Status s = ValidateEvaluations(evaluations); !s.ok()) return s;
    for (size_t i = first_new; i < pool.size(); ++i) {
      nsga2_internal::AddToFront(pool[i], &result.front);
    }
    absl::StatusOr<std::vector<Individual<Genome>>> next =
        nsga2_internal::Survive(std::move(pool), evaluations, options.population_size);
    if (!next.ok()) return next.status();
    population = *std::move(next);
    result.generations = generation;
    if (observer) observer(generation, population);
  }
  result.population = std::move(population);
  result.rng_state = rng.SaveState();
  return result;
}

}  // namespace nas::star
