// The layout of a STAR-style genome for one search space: which gene sits at which
// position, its name and how many values it takes. A genome is a vector of integers, gene i
// in [0, cardinality(i)); a value is an index into the space's value list for that gene
// (e.g. class[1].attention.num_heads = 1 picks token_mixers.attention.num_heads[1]).
//
// Three levels, as in STAR (../shared/REFERENCE.md section 3):
//   backbone — per layer slot s:  backbone[s].class         LIV class, 0..max_liv_classes-1
//                                 backbone[s].kv_group      0 = own K/V, g = KV-sharing group g
//                                                           (only when kv_sharing_groups > 0)
//                                 backbone[s].weight_group  0 = own weights, g = weight-sharing
//                                                           group g (only when
//                                                           weight_sharing_groups > 0)
//   operator — per LIV class c:   class[c].family       index into the allowed families
//                                 class[c].attention.{num_heads, num_kv_heads, head_dim,
//                                   qk_norm, rope_theta, sliding_window}
//                                 class[c].short_conv.{kernel_size, gating}
//                                 class[c].recurrence.{num_heads, head_dim}
//   channel  — per LIV class c:   class[c].channel_mixer  index into the allowed kinds
//                                 class[c].swiglu.hidden, class[c].gelu_mlp.hidden
// Family and kind genes exist only for what the space allows (families in the order
// attention, short_conv, recurrence; kinds swiglu, gelu_mlp, none); parameter genes of a
// family or kind the class did not pick are inactive (kept for evolution, ignored by
// decoding). Genes with a single value are kept so that names and positions depend only on
// which families and kinds the space allows.
//
// The genes of slot s sit together in the order class, kv_group, weight_group (each
// sharing gene only where its space enables it), slot 0 first, then the classes.
//
// A layout is immutable once created; thread-safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/search_space.pb.h"

namespace nas::star {

enum class TokenMixerFamily { kAttention, kShortConv, kRecurrence };
enum class ChannelMixerKind { kSwiGlu, kGeluMlp, kNone };

struct Gene {
  std::string name;          // e.g. "class[1].attention.num_heads"
  uint32_t cardinality = 1;  // values are 0..cardinality-1
};

class GenomeLayout {
 public:
  // Position of a gene, or kNoGene where the space has no such gene.
  static constexpr int kNoGene = -1;

  struct SlotGenes {
    int liv_class = kNoGene;
    int kv_group = kNoGene;
    int weight_group = kNoGene;
  };
  struct ClassGenes {
    int family = kNoGene;
    int attention_heads = kNoGene;
    int attention_kv_heads = kNoGene;
    int attention_head_dim = kNoGene;
    int attention_qk_norm = kNoGene;
    int attention_rope_theta = kNoGene;
    int attention_window = kNoGene;
    int conv_kernel = kNoGene;
    int conv_gating = kNoGene;
    int recurrence_heads = kNoGene;
    int recurrence_head_dim = kNoGene;
    int channel_mixer = kNoGene;
    int swiglu_hidden = kNoGene;
    int gelu_hidden = kNoGene;
  };

  // Fails with the space's first error ("path: message", see search_space_validate.h) when
  // its shape or value lists are invalid: only valid spaces get a layout, which is what
  // guarantees that every genome decodes to a valid ArchSpec.
  static absl::StatusOr<GenomeLayout> Create(const SearchSpace& space);

  const SearchSpace& space() const { return space_; }
  size_t size() const { return genes_.size(); }
  const std::vector<Gene>& genes() const { return genes_; }
  const Gene& gene(size_t i) const { return genes_[i]; }
  // Position of the gene named `name`, if any.
  std::optional<size_t> Find(const std::string& name) const;

  int depth() const { return static_cast<int>(slots_.size()); }
  int num_classes() const { return static_cast<int>(classes_.size()); }
  const SlotGenes& slot(int s) const { return slots_[s]; }
  const ClassGenes& liv_class(int c) const { return classes_[c]; }
  // What the values of the family and channel-mixer genes stand for.
  const std::vector<TokenMixerFamily>& families() const { return families_; }
  const std::vector<ChannelMixerKind>& channel_kinds() const { return channel_kinds_; }

 private:
  GenomeLayout() = default;
  int Add(std::string name, uint32_t cardinality);

  SearchSpace space_;
  std::vector<Gene> genes_;
  std::vector<SlotGenes> slots_;
  std::vector<ClassGenes> classes_;
  std::vector<TokenMixerFamily> families_;
  std::vector<ChannelMixerKind> channel_kinds_;
};

}  // namespace nas::star
