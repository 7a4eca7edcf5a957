// The architecture genome as NSGA-II sees it: an IntVariation over the genes of a
// GenomeLayout (gene i in [0, cardinality(i) - 1]) whose Repair applies the genome repair
// rules (genome.h) and whose Key is the canonical hash of the decoded architecture
// (canonical.h). Keying by architecture rather than by genes means two genomes that build
// the same model (differing only in inactive genes) count as one candidate: deduplication
// never lets the campaign measure the same architecture twice.
// Immutable once created; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "star/genome.h"
#include "star/genome_layout.h"
#include "star/nsga2_int_operators.h"

namespace nas::star {

class ArchVariation : public IntVariation {
 public:
  static absl::StatusOr<ArchVariation> Create(GenomeLayout layout, double mutation_probability);

  bool Repair(IntGenome* genome) const override;
  // CanonicalHash of the decoded spec; "" for a genome that does not decode (never the
  // case after Repair).
  std::string Key(const IntGenome& genome) const override;

  // The architecture of a (repaired) genome.
  absl::StatusOr<ArchSpec> Decode(const IntGenome& genome) const;
  const GenomeLayout& layout() const { return layout_; }

 private:
  ArchVariation(GenomeLayout layout, std::vector<GeneRange> ranges, double mutation_probability)
      : IntVariation(std::move(ranges), mutation_probability), layout_(std::move(layout)) {}
  GenomeLayout layout_;
};

// Conversions between the layout's unsigned genes and NSGA-II's signed ones (values are
// small indices, so both are exact for in-range genes).
IntGenome ToIntGenome(const Genome& genome);
Genome ToLayoutGenome(const IntGenome& genome);

}  // namespace nas::star
