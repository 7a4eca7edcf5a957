#include "star/arch_variation.h"

#include <utility>

#include "star/canonical.h"

namespace nas::star {

IntGenome ToIntGenome(const Genome& genome) {
  return IntGenome(genome.begin(), genome.end());
}

Genome ToLayoutGenome(const IntGenome& genome) {
  Genome out;
  out.reserve(genome.size());
  for (int32_t g : genome) out.push_back(g < 0 ? 0u : static_cast<uint32_t>(g));
  return out;
}

absl::StatusOr<ArchVariation> ArchVariation::Create(GenomeLayout layout,
                                                    double mutation_probability) {
  std::vector<GeneRange> ranges;
  ranges.reserve(layout.size());
  for (const Gene& gene : layout.genes()) {
    ranges.push_back({0, static_cast<int32_t>(gene.cardinality) - 1});
  }
  // Validates the ranges and the probability with IntVariation's rules.
  absl::StatusOr<IntVariation> checked = IntVariation::Create(ranges, mutation_probability);
  if (!checked.ok()) return checked.status();
  return ArchVariation(std::move(layout), std::move(ranges), mutation_probability);
}

bool ArchVariation::Repair(IntGenome* genome) const {
  if (!IntVariation::Repair(genome)) return false;
  absl::StatusOr<Genome> repaired = star::Repair(layout_, ToLayoutGenome(*genome));
  if (!repaired.ok()) return false;
  *genome = ToIntGenome(*repaired);
  return true;
}

std::string ArchVariation::Key(const IntGenome& genome) const {
  absl::StatusOr<ArchSpec> spec = Decode(genome);
  return spec.ok() ? CanonicalHash(*spec) : std::string();
}

absl::StatusOr<ArchSpec> ArchVariation::Decode(const IntGenome& genome) const {
  return star::Decode(layout_, ToLayoutGenome(genome));
}

}  // namespace nas::star
