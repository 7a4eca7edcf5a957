// Variation operators for integer-coded genomes (the STAR architecture genome: one integer
// per gene, each gene with its own inclusive range of valid values): uniform random
// genomes, 2-point crossover and per-gene mutation that moves a gene to one of its *other*
// valid values. IntVariation bundles them as a Variation; an architecture genome derives
// from it and overrides Repair() with its structural rules. Every draw comes from the Rng
// passed in, in a fixed order, so a seed gives the same genomes on every platform.
// Pure functions; IntVariation is immutable and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "star/nsga2_problem.h"
#include "star/rng.h"

namespace nas::star {

using IntGenome = std::vector<int32_t>;

struct GeneRange {
  int32_t min = 0;  // inclusive
  int32_t max = 0;  // inclusive
  friend bool operator==(const GeneRange&, const GeneRange&) = default;
};

// InvalidArgument if there are no genes or a range has min > max (naming the gene).
absl::Status ValidateGeneRanges(std::span<const GeneRange> ranges);
// InvalidArgument if `genome` has the wrong length or a gene outside its range.
absl::Status CheckIntGenome(std::span<const GeneRange> ranges, std::span<const int32_t> genome);

// Each gene uniform over its range.
IntGenome RandomIntGenome(std::span<const GeneRange> ranges, Rng& rng);

// Two cut points a < b drawn uniformly from 1..n-1; the children swap the genes [a, b)
// of their parents, so each keeps its own first and last gene. With two genes it swaps
// the second (one-point); with fewer, or parents of different lengths, the children are
// copies. Genes stay within their ranges because each comes from a parent.
void TwoPointCrossover(std::span<const int32_t> a, std::span<const int32_t> b, Rng& rng,
                       IntGenome* child_a, IntGenome* child_b);

// Each gene mutates with `probability` (one Bernoulli draw per gene, always) to a value
// uniform among the other valid values of its range; a gene with a single valid value
// stays, a gene outside its range gets a value uniform over the range.
void PerGeneMutation(std::span<const GeneRange> ranges, double probability, Rng& rng,
                     IntGenome* genome);

// The genes in decimal, comma-separated ("3,0,12"): printable, one key per genome.
std::string IntGenomeKey(std::span<const int32_t> genome);

class IntVariation : public Variation<IntGenome> {
 public:
  static constexpr double kDefaultMutationProbability = 0.1;

  // Validates the ranges and the probability (in [0, 1]).
  static absl::StatusOr<IntVariation> Create(
      std::vector<GeneRange> ranges, double mutation_probability = kDefaultMutationProbability);

  IntGenome Random(Rng& rng) const override;
  void Crossover(const IntGenome& a, const IntGenome& b, Rng& rng, IntGenome* child_a,
                 IntGenome* child_b) const override;
  void Mutate(IntGenome* genome, Rng& rng) const override;
  // Resizes to the number of genes (missing genes = their minimum) and clamps each gene
  // into its range; always succeeds. Subclasses add their rules and call this first.
  bool Repair(IntGenome* genome) const override;
  std::string Key(const IntGenome& genome) const override;

  const std::vector<GeneRange>& ranges() const { return ranges_; }
  double mutation_probability() const { return mutation_probability_; }

 protected:
  // For subclasses that have validated their arguments with Create()'s rules.
  IntVariation(std::vector<GeneRange> ranges, double mutation_probability)
      : ranges_(std::move(ranges)), mutation_probability_(mutation_probability) {}

 private:
  std::vector<GeneRange> ranges_;
  double mutation_probability_;
};

}  // namespace nas::star
