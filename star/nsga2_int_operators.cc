#include "star/nsga2_int_operators.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::star {
namespace {

int64_t RangeSize(const GeneRange& r) {
  return static_cast<int64_t>(r.max) - static_cast<int64_t>(r.min) + 1;
}

}  // namespace

absl::Status ValidateGeneRanges(std::span<const GeneRange> ranges) {
  if (ranges.empty()) return absl::InvalidArgumentError("the genome has no genes");
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].min > ranges[i].max) {
      return absl::InvalidArgumentError(absl::StrCat("gene ", i, " has min ", ranges[i].min,
                                                     " > max ", ranges[i].max));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIntGenome(std::span<const GeneRange> ranges, std::span<const int32_t> genome) {
  if (genome.size() != ranges.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("genome has ", genome.size(), " genes, expected ", ranges.size()));
  }
  for (size_t i = 0; i < genome.size(); ++i) {
    if (genome[i] < ranges[i].min || genome[i] > ranges[i].max) {
      return absl::InvalidArgumentError(absl::StrCat("gene ", i, " = ", genome[i],
                                                     " is outside [", ranges[i].min, ", ",
                                                     ranges[i].max, "]"));
    }
  }
  return absl::OkStatus();
}

IntGenome RandomIntGenome(std::span<const GeneRange> ranges, Rng& rng) {
  IntGenome genome(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    genome[i] = static_cast<int32_t>(rng.UniformInt(ranges[i].min, ranges[i].max));
  }
  return genome;
}

void TwoPointCrossover(std::span<const int32_t> a, std::span<const int32_t> b, Rng& rng,
                       IntGenome* child_a, IntGenome* child_b) {
  child_a->assign(a.begin(), a.end());
  child_b->assign(b.begin(), b.end());
  const size_t n = a.size();
  if (n != b.size() || n < 2) return;
  size_t lo = 1, hi = 2;  // n == 2: swap gene 1
  if (n > 2) {
    // Two distinct cut points among the n - 1 inner positions 1..n-1.
    lo = 1 + rng.Below(n - 1);
    hi = 1 + rng.Below(n - 2);
    if (hi >= lo) ++hi;
    if (lo > hi) std::swap(lo, hi);
  }
  for (size_t i = lo; i < hi; ++i) std::swap((*child_a)[i], (*child_b)[i]);
}

void PerGeneMutation(std::span<const GeneRange> ranges, double probability, Rng& rng,
                     IntGenome* genome) {
  const size_t n = std::min(ranges.size(), genome->size());
  for (size_t i = 0; i < n; ++i) {
    if (!rng.Bernoulli(probability)) continue;
    const GeneRange& r = ranges[i];
    int32_t& gene = (*genome)[i];
    const int64_t size = RangeSize(r);
    if (gene < r.min || gene > r.max) {
      gene = static_cast<int32_t>(r.min + static_cast<int64_t>(rng.Below(size)));
      continue;
    }
    if (size < 2) continue;
    // Uniform over the size - 1 other values: draw an offset and skip the current one.
    int64_t value = r.min + static_cast<int64_t>(rng.Below(size - 1));
    if (value >= gene) ++value;
    gene = static_cast<int32_t>(value);
  }
}

std::string IntGenomeKey(std::span<const int32_t> genome) { return absl::StrJoin(genome, ","); }

absl::StatusOr<IntVariation> IntVariation::Create(std::vector<GeneRange> ranges,
                                                  double mutation_probability) {
  if (absl::Status s = ValidateGeneRanges(ranges); !s.ok()) return s;
  if (!(mutation_probability >= 0.0 && mutation_probability <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("mutation probability must be in [0, 1], got ", mutation_probability));
  }
  return IntVariation(std::move(ranges), mutation_probability);
}

IntGenome IntVariation::Random(Rng& rng) const { return RandomIntGenome(ranges_, rng); }

void IntVariation::Crossover(const IntGenome& a, const IntGenome& b, Rng& rng,
                             IntGenome* child_a, IntGenome* child_b) const {
  TwoPointCrossover(a, b, rng, child_a, child_b);
}

void IntVariation::Mutate(IntGenome* genome, Rng& rng) const {
  PerGeneMutation(ranges_, mutation_probability_, rng, genome);
}

bool IntVariation::Repair(IntGenome* genome) const {
  const size_t had = genome->size();
  genome->resize(ranges_.size());
  for (size_t i = had; i < ranges_.size(); ++i) (*genome)[i] = ranges_[i].min;
  for (size_t i = 0; i < ranges_.size(); ++i) {
    (*genome)[i] = std::clamp((*genome)[i], ranges_[i].min, ranges_[i].max);
  }
  return true;
}

std::string IntVariation::Key(const IntGenome& genome) const { return IntGenomeKey(genome); }

}  // namespace nas::star
