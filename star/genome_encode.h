// Encoding an ArchSpec as a genome of a search space: the inverse of Decode (genome.h), used
// to seed a campaign with reference architectures (e.g. LFM2-350M in the lfm2-350m space).
//
// Distinct layer configurations (ignoring kv_source_layer and weight_source_layer) become
// LIV classes 0, 1, ... in order of first appearance; unused classes and the inactive genes
// of used ones are 0. Each layer that names a KV source joins a KV-sharing group opened by
// that source; groups are numbered 1, 2, ... in order of their first sharers. Likewise each
// layer that names a weight source joins a weight-sharing group opened by that source,
// numbered 1, 2, ... in order of the sources. The result satisfies Decode(Encode(spec)) ==
// spec, every field compared except `name`.
//
// A spec the space cannot express fails with one line naming the field, e.g.
// "layers[2].attention.num_heads: 24 is not among the choices
// (token_mixers.attention.num_heads: 8, 16)" or "d_model: 1536 differs from the space's
// (1024)", and likewise a spec needing more sharing groups than the space allows, e.g.
// "layers[9].weight_source_layer: needs weight-sharing group 3 but the space has
// weight_sharing_groups: 2". An invalid spec fails with liv::ValidateArchSpec's error.
// Pure; thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "star/genome.h"
#include "star/genome_layout.h"

namespace nas::star {

absl::StatusOr<Genome> Encode(const ArchSpec& spec, const GenomeLayout& layout);

}  // namespace nas::star
