// What NSGA-II needs to know about a representation: how to draw, recombine, mutate and
// repair genomes, and a key that identifies a genome for deduplication (equal keys = the
// same candidate; the coordinator stores keys with results). Evaluation is separate
// (Problem adds it) because the coordinator evaluates asynchronously on remote devices;
// only RunSynchronously() calls Evaluate(). Implementations must be deterministic given
// the Rng (all randomness from it) and const methods must be safe to call concurrently.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "star/pareto.h"
#include "star/rng.h"

namespace nas::star {

template <typename Genome>
class Variation {
 public:
  virtual ~Variation() = default;

  // A genome drawn from the search space (repaired by the caller afterwards).
  virtual Genome Random(Rng& rng) const = 0;
  // Two children of `a` and `b`; called only when the driver decides to recombine.
  virtual void Crossover(const Genome& a, const Genome& b, Rng& rng, Genome* child_a,
                         Genome* child_b) const = 0;
  virtual void Mutate(Genome* genome, Rng& rng) const = 0;
  // Makes `genome` valid in place (e.g. a sharing group that points at a missing layer);
  // false when it cannot be, and the driver discards it. Must not use randomness, so that
  // the same variation always yields the same candidate.
  virtual bool Repair(Genome* /*genome*/) const { return true; }
  virtual std::string Key(const Genome& genome) const = 0;
};

template <typename Genome>
class Problem : public Variation<Genome> {
 public:
  // Objectives (minimised) and constraint violation of `genome`; an error aborts a
  // synchronous run (a failed measurement that should stay in the run is a violation).
  virtual absl::StatusOr<Evaluation> Evaluate(const Genome& genome) const = 0;
};

}  // namespace nas::star
