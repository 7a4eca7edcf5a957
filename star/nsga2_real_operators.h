// Variation operators for real-valued genomes with per-variable bounds, as in Deb's
// reference NSGA-II: simulated binary crossover (SBX, bounded form, distribution index
// eta_c) and polynomial mutation (bounded form, eta_m, probability 1/n per variable by
// default). They serve the classic test problems (ZDT, Binh-Korn, Osyczka-Kramer) that
// check the NSGA-II driver against known results. The Rng stream is portable; results
// can differ in the last bits across libm implementations (std::pow). Pure functions;
// RealVariation is immutable and thread-safe.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "star/nsga2_problem.h"
#include "star/rng.h"

namespace nas::star {

using RealGenome = std::vector<double>;

struct RealBounds {
  double lower = 0.0;
  double upper = 1.0;
};

struct RealOperatorOptions {
  double crossover_eta = 15.0;            // SBX distribution index
  double crossover_per_variable = 0.5;    // probability that SBX touches a variable
  double mutation_eta = 20.0;             // polynomial mutation distribution index
  double mutation_probability = -1.0;     // per variable; < 0 means 1 / n
};

// Uniform within the bounds.
RealGenome RandomRealGenome(std::span<const RealBounds> bounds, Rng& rng);

// Bounded SBX: each variable, with probability per_variable and when the parents differ,
// gets two children spread around the parents by a polynomial distribution of index eta
// that never leaves the bounds; the children then swap with probability 1/2.
void SbxCrossover(std::span<const RealBounds> bounds, double eta, double per_variable,
                  std::span<const double> a, std::span<const double> b, Rng& rng,
                  RealGenome* child_a, RealGenome* child_b);

// Bounded polynomial mutation of each variable with `probability`.
void PolynomialMutation(std::span<const RealBounds> bounds, double eta, double probability,
                        Rng& rng, RealGenome* genome);

// The genome's bytes (8 per variable): exact equality, not printable.
std::string RealGenomeKey(std::span<const double> genome);

class RealVariation : public Variation<RealGenome> {
 public:
  // InvalidArgument for no variables, bounds that are not finite with lower < upper, or
  // options out of range (etas >= 0, probabilities <= 1).
  static absl::StatusOr<RealVariation> Create(std::vector<RealBounds> bounds,
                                              RealOperatorOptions options = {});

  RealGenome Random(Rng& rng) const override;
  void Crossover(const RealGenome& a, const RealGenome& b, Rng& rng, RealGenome* child_a,
                 RealGenome* child_b) const override;
  void Mutate(RealGenome* genome, Rng& rng) const override;
  // Resizes to the number of variables and clamps into the bounds; always succeeds.
  bool Repair(RealGenome* genome) const override;
  std::string Key(const RealGenome& genome) const override;

  const std::vector<RealBounds>& bounds() const { return bounds_; }
  const RealOperatorOptions& options() const { return options_; }

 private:
  RealVariation(std::vector<RealBounds> bounds, RealOperatorOptions options)
      : bounds_(std::move(bounds)), options_(options) {}

  std::vector<RealBounds> bounds_;
  RealOperatorOptions options_;  // mutation_probability resolved to a value in [0, 1]
};

}  // namespace nas::star
