// NSGA-II's selection steps, which need only evaluations, never genomes: elitist survivor
// selection (non-dominated sort under constrained domination, whole fronts while they fit,
// the split front truncated by crowding distance) and the binary tournament on
// (rank, crowding) that picks parents. Deterministic: ties go to the lower index, and the
// tournament's randomness comes only from the Rng passed in. Pure; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "star/pareto.h"
#include "star/rng.h"

namespace nas::star {

// Where a member stands in its population: its front (0 = non-dominated) and its crowding
// distance within that front (+infinity at the front's extremes).
struct Standing {
  int rank = 0;
  double crowding = 0.0;
  friend bool operator==(const Standing&, const Standing&) = default;
};

// Deb's crowded-comparison order: lower rank first, then larger crowding distance.
// Equal standings: neither is better.
bool CrowdedBetter(const Standing& a, const Standing& b);

struct Survivors {
  // Indices into the candidates, front by front, ascending within a front.
  std::vector<int> indices;
  // The standing of each survivor (parallel to `indices`). Rank and crowding are those of
  // the whole candidate set, so the split front keeps the distances it was cut by.
  std::vector<Standing> standings;
};

// Chooses min(population_size, candidates.size()) survivors. Of the split front the most
// crowded-apart members survive (ties: lower index). Passing all candidates with
// population_size >= their count ranks them without dropping any (e.g. the initial
// population). InvalidArgument for invalid evaluations or a negative population_size.
absl::StatusOr<Survivors> SelectSurvivors(std::span<const Evaluation> candidates,
                                          int population_size);

// Binary tournament: two distinct members drawn uniformly (the same one when there is only
// one); the crowded-better one wins, the first drawn on a tie. Returns an index into
// `standings`, which must not be empty.
int BinaryTournament(std::span<const Standing> standings, Rng& rng);

}  // namespace nas::star
