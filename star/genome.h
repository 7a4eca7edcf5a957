// Genomes: integer vectors laid out by a GenomeLayout (genome_layout.h), their repair,
// their decoding into ArchSpecs and random sampling. Encoding an ArchSpec back into a
// genome lives in genome_encode.h.
//
// Decoding: slot s becomes the layer described by its class (backbone[s].class); the spec's
// vocab, width, norm eps, tied embeddings and context length come from the space; the
// decoded spec has no name. KV sharing: an attention slot whose kv_group is g > 0 reuses the
// K/V of the first slot of group g (kv_source_layer), which computes its own; the first
// slot of a group owns it. Weight sharing: a slot whose weight_group is g > 0 uses every
// weight of the first slot of group g (weight_source_layer), which owns them; it keeps its
// own state (and its own kv_group: KV and weight sharing are independent genes).
//
// Repair rules (Repair returns the genome whose genes literally describe what Decode
// builds; Decode(g) == Decode(Repair(g)) for every in-range g):
//   1. A gene out of range is clamped to its largest value.
//   2. class[c].attention.num_kv_heads that does not divide num_heads moves to the choice
//      nearest in value that does (the smaller on a tie); the space guarantees one exists.
//   3. backbone[s].kv_group of a slot whose class is not attention is set to 0.
//   4. A slot that cannot reuse its group's K/V (different num_kv_heads or head_dim, or a
//      window the source's cache does not cover: the source keeps its last W positions and
//      the sharer's window is 0 or > W) stops sharing: kv_group = 0.
// The weight-sharing rules come after the KV rules (KV decisions first); "owner" is the first
// slot of the slot's weight group, "KV sharer" a slot that decodes with a kv_source_layer:
//   5. A slot whose layer (token mixer and channel mixer with every parameter, ignoring
//      kv_source_layer) differs from its weight group owner's stops sharing weights:
//      weight_group = 0. Slots of one class always agree; slots of two classes agree when
//      the classes decode to the same layer.
//   6. A slot that is not a KV sharer whose owner is a KV sharer (the owner has no K/V
//      weights to lend) stops sharing weights: weight_group = 0.
// Everything else is valid by construction of the space (search_space_validate.h), so every
// genome of a layout decodes to an ArchSpec that passes liv::ValidateArchSpec.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "star/genome_layout.h"

namespace nas::star {

using Genome = std::vector<uint32_t>;

// A uniform integer in [0, n), n >= 1; plugs in any random generator.
using UniformIndex = std::function<uint32_t(uint32_t n)>;

// OK when the genome has the layout's length and every gene is within its range; the
// error names the gene, e.g. "gene 17 (class[1].attention.num_heads): 5 is out of [0, 2)".
absl::Status CheckGenome(const GenomeLayout& layout, const Genome& genome);

// Applies the repair rules above. Fails only on a genome of the wrong length.
absl::StatusOr<Genome> Repair(const GenomeLayout& layout, Genome genome);

// The architecture of a genome (repair rules applied). Fails on a wrong length or an
// out-of-range gene (CheckGenome); the result always passes liv::ValidateArchSpec.
absl::StatusOr<ArchSpec> Decode(const GenomeLayout& layout, const Genome& genome);

// Every gene drawn uniformly from its range, then repaired.
Genome RandomGenome(const GenomeLayout& layout, const UniformIndex& uniform);

// "backbone[0].class=1 backbone[0].kv_group=0 backbone[0].weight_group=0 ...
// class[1].attention.num_heads=16 ...":
// each gene with the value it stands for (an index for backbone and family genes).
std::string DescribeGenome(const GenomeLayout& layout, const Genome& genome);

}  // namespace nas::star
