#include "star/genome.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::star {
namespace {

using ClassGenes = GenomeLayout::ClassGenes;

uint32_t Value(const Genome& genome, int gene) {
  return gene == GenomeLayout::kNoGene ? 0 : genome[gene];
}

TokenMixerFamily FamilyOf(const GenomeLayout& layout, const Genome& genome, int liv_class) {
  return layout.families()[genome[layout.liv_class(liv_class).family]];
}

// The attention parameters that decide whether one slot can reuse another's K/V.
struct KvShape {
  uint32_t kv_heads = 0;
  uint32_t head_dim = 0;
  uint32_t window = 0;
};

KvShape KvShapeOf(const GenomeLayout& layout, const Genome& genome, int liv_class) {
  const AttentionChoices& a = layout.space().token_mixers().attention();
  const ClassGenes& g = layout.liv_class(liv_class);
  return KvShape{a.num_kv_heads(genome[g.attention_kv_heads]),
                 a.head_dims(genome[g.attention_head_dim]),
                 a.sliding_windows(genome[g.attention_window])};
}

// Whether `sharer` may attend over the cache of `source` (liv's kv_source_layer rules).
bool CanShare(const KvShape& source, const KvShape& sharer) {
  if (source.kv_heads != sharer.kv_heads || source.head_dim != sharer.head_dim) return false;
  return source.window == 0 || (sharer.window > 0 && sharer.window <= source.window);
}

// Rule 2: the num_kv_heads choice nearest to the current one that divides num_heads.
void RepairKvHeads(const AttentionChoices& a, const ClassGenes& g, Genome& genome) {
  const uint32_t heads = a.num_heads(genome[g.attention_heads]);
  const uint32_t current = a.num_kv_heads(genome[g.attention_kv_heads]);
  if (heads % current == 0) return;
  int best = -1;
  for (int k = 0; k < a.num_kv_heads_size(); ++k) {
    const uint32_t kv = a.num_kv_heads(k);
    if (heads % kv != 0) continue;
    if (best < 0) {
      best = k;
      continue;
    }
    const uint32_t best_kv = a.num_kv_heads(best);
    const int64_t d = std::llabs(int64_t{kv} - current);
    const int64_t best_d = std::llabs(int64_t{best_kv} - current);
    if (d < best_d || (d == best_d && kv < best_kv)) best = k;
  }
  genome[g.attention_kv_heads] = static_cast<uint32_t>(best);  // the space guarantees one
}

using SlotGene = int GenomeLayout::SlotGenes::*;

// The first slot before `slot` whose `gene` (kv_group or weight_group) is `group`, or -1.
int GroupOwner(const GenomeLayout& layout, const Genome& genome, int slot, uint32_t group,
               SlotGene gene) {
  for (int s = 0; s < slot; ++s) {
    if (genome[layout.slot(s).*gene] == group) return s;
  }
  return -1;
}

// Whether slot `s` reuses another slot's K/V (decodes with a kv_source_layer), once rules
// 3-4 hold: its kv_group is g > 0 and an earlier slot opened group g.
bool IsKvSharer(const GenomeLayout& layout, const Genome& genome, int s) {
  const int gene = layout.slot(s).kv_group;
  if (gene == GenomeLayout::kNoGene || genome[gene] == 0) return false;
  return GroupOwner(layout, genome, s, genome[gene], &GenomeLayout::SlotGenes::kv_group) >= 0;
}

// The layer a LIV class describes (no KV or weight sharing yet).
Layer ClassLayer(const GenomeLayout& layout, const Genome& genome, int liv_class) {
  const SearchSpace& space = layout.space();
  const ClassGenes& g = layout.liv_class(liv_class);
  Layer layer;
  switch (FamilyOf(layout, genome, liv_class)) {
    case TokenMixerFamily::kAttention: {
      const AttentionChoices& c = space.token_mixers().attention();
      Attention* a = layer.mutable_attention();
      a->set_num_heads(c.num_heads(genome[g.attention_heads]));
      a->set_num_kv_heads(c.num_kv_heads(genome[g.attention_kv_heads]));
      a->set_head_dim(c.head_dims(genome[g.attention_head_dim]));
      a->set_qk_norm(c.qk_norm(genome[g.attention_qk_norm]));
      a->set_rope_theta(c.rope_thetas(genome[g.attention_rope_theta]));
      a->set_sliding_window(c.sliding_windows(genome[g.attention_window]));
      break;
    }
    case TokenMixerFamily::kShortConv: {
      const ShortConvChoices& c = space.token_mixers().short_conv();
      ShortConv* conv = layer.mutable_short_conv();
      conv->set_kernel_size(c.kernel_sizes(genome[g.conv_kernel]));
      conv->set_gating(static_cast<ShortConv::Gating>(c.gatings(genome[g.conv_gating])));
      break;
    }
    case TokenMixerFamily::kRecurrence: {
      const RecurrenceChoices& c = space.token_mixers().recurrence();
      Recurrence* r = layer.mutable_recurrence();
      r->set_num_heads(c.num_heads(genome[g.recurrence_heads]));
      r->set_head_dim(c.head_dims(genome[g.recurrence_head_dim]));
      break;
    }
  }
  const ChannelMixerChoices& c = space.channel_mixers();
  switch (layout.channel_kinds()[genome[g.channel_mixer]]) {
    case ChannelMixerKind::kSwiGlu:
      layer.mutable_swiglu()->set_hidden(c.swiglu_hidden(genome[g.swiglu_hidden]));
      break;
    case ChannelMixerKind::kGeluMlp:
      layer.mutable_gelu_mlp()->set_hidden(c.gelu_hidden(genome[g.gelu_hidden]));
      break;
    case ChannelMixerKind::kNone:
      layer.mutable_no_channel_mixer();
      break;
  }
  return layer;
}

// Rules 5-6, once rules 2-4 hold (KV decisions come first). Slots are visited in order and
// only non-owners leave a group, so every group keeps its owner throughout.
void RepairWeightGroups(const GenomeLayout& layout, Genome& genome) {
  if (layout.depth() == 0 || layout.slot(0).weight_group == GenomeLayout::kNoGene) return;
  // Each class's layer (kv_source_layer and weight_source_layer are never part of it).
  std::vector<std::string> layers;
  for (int c = 0; c < layout.num_classes(); ++c) {
    layers.push_back(ClassLayer(layout, genome, c).SerializeAsString());
  }
  for (int s = 0; s < layout.depth(); ++s) {
    const int weight_gene = layout.slot(s).weight_group;
    if (genome[weight_gene] == 0) continue;
    const int owner =
        GroupOwner(layout, genome, s, genome[weight_gene], &GenomeLayout::SlotGenes::weight_group);
    if (owner < 0) continue;  // this slot opens the group
    const uint32_t owner_class = genome[layout.slot(owner).liv_class];
    const uint32_t liv_class = genome[layout.slot(s).liv_class];
    if (owner_class != liv_class && layers[owner_class] != layers[liv_class]) {
      genome[weight_gene] = 0;  // rule 5
    } else if (IsKvSharer(layout, genome, owner) && !IsKvSharer(layout, genome, s)) {
      genome[weight_gene] = 0;  // rule 6
    }
  }
}

// Rules 2-6 on an in-range genome.
void RepairInRange(const GenomeLayout& layout, Genome& genome) {
  const TokenMixerChoices& t = layout.space().token_mixers();
  if (t.has_attention()) {
    for (int c = 0; c < layout.num_classes(); ++c) {
      RepairKvHeads(t.attention(), layout.liv_class(c), genome);
    }
  }
  for (int s = 0; s < layout.depth(); ++s) {
    const int kv_gene = layout.slot(s).kv_group;
    if (kv_gene == GenomeLayout::kNoGene || genome[kv_gene] == 0) continue;
    const int liv_class = static_cast<int>(genome[layout.slot(s).liv_class]);
    if (FamilyOf(layout, genome, liv_class) != TokenMixerFamily::kAttention) {
      genome[kv_gene] = 0;
      continue;
    }
    const int owner =
        GroupOwner(layout, genome, s, genome[kv_gene], &GenomeLayout::SlotGenes::kv_group);
    if (owner < 0) continue;  // this slot opens the group
    const int owner_class = static_cast<int>(genome[layout.slot(owner).liv_class]);
    if (!CanShare(KvShapeOf(layout, genome, owner_class), KvShapeOf(layout, genome, liv_class))) {
      genome[kv_gene] = 0;
    }
  }
  RepairWeightGroups(layout, genome);
}

const char* FamilyName(TokenMixerFamily f) {
  switch (f) {
    case TokenMixerFamily::kAttention:
      return "attention";
    case TokenMixerFamily::kShortConv:
      return "short_conv";
    case TokenMixerFamily::kRecurrence:
      return "recurrence";
  }
  return "?";
}

const char* KindName(ChannelMixerKind k) {
  switch (k) {
    case ChannelMixerKind::kSwiGlu:
      return "swiglu";
    case ChannelMixerKind::kGeluMlp:
      return "gelu_mlp";
    case ChannelMixerKind::kNone:
      return "none";
  }
  return "?";
}

// What value `v` of gene `i` stands for, for humans.
std::string ValueName(const GenomeLayout& layout, int i, uint32_t v) {
  if (v >= layout.gene(i).cardinality) return absl::StrCat(v, "?");
  const SearchSpace& space = layout.space();
  const AttentionChoices& a = space.token_mixers().attention();
  const ShortConvChoices& sc = space.token_mixers().short_conv();
  const RecurrenceChoices& r = space.token_mixers().recurrence();
  const ChannelMixerChoices& ch = space.channel_mixers();
  for (int c = 0; c < layout.num_classes(); ++c) {
    const ClassGenes& g = layout.liv_class(c);
    if (i == g.family) return FamilyName(layout.families()[v]);
    if (i == g.attention_heads) return absl::StrCat(a.num_heads(v));
    if (i == g.attention_kv_heads) return absl::StrCat(a.num_kv_heads(v));
    if (i == g.attention_head_dim) return absl::StrCat(a.head_dims(v));
    if (i == g.attention_qk_norm) return a.qk_norm(v) ? "true" : "false";
    if (i == g.attention_rope_theta) return absl::StrCat(a.rope_thetas(v));
    if (i == g.attention_window) return absl::StrCat(a.sliding_windows(v));
    if (i == g.conv_kernel) return absl::StrCat(sc.kernel_sizes(v));
    if (i == g.conv_gating) return ShortConv::Gating_Name(sc.gatings(v));
    if (i == g.recurrence_heads) return absl::StrCat(r.num_heads(v));
    if (i == g.recurrence_head_dim) return absl::StrCat(r.head_dims(v));
    if (i == g.channel_mixer) return KindName(layout.channel_kinds()[v]);
    if (i == g.swiglu_hidden) return absl::StrCat(ch.swiglu_hidden(v));
    if (i == g.gelu_hidden) return absl::StrCat(ch.gelu_hidden(v));
  }
  return absl::StrCat(v);  // backbone genes are indices
}

}  // namespace

absl::Status CheckGenome(const GenomeLayout& layout, const Genome& genome) {
  if (genome.size() != layout.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("genome has ", genome.size(), " genes; the layout of space \"",
                     layout.space().name(), "\" has ", layout.size()));
  }
  for (size_t i = 0; i < genome.size(); ++i) {
    if (genome[i] >= layout.gene(i).cardinality) {
      return absl::InvalidArgumentError(absl::StrCat("gene ", i, " (", layout.gene(i).name,
                                                     "): ", genome[i], " is out of [0, ",
                                                     layout.gene(i).cardinality, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Genome> Repair(const GenomeLayout& layout, Genome genome) {
  if (genome.size() != layout.size()) return CheckGenome(layout, genome);
  for (size_t i = 0; i < genome.size(); ++i) {
    genome[i] = std::min(genome[i], layout.gene(i).cardinality - 1);
  }
  RepairInRange(layout, genome);
  return genome;
}

absl::StatusOr<ArchSpec> Decode(const GenomeLayout& layout, const Genome& input) {
  if (auto s = CheckGenome(layout, input); !s.ok()) return s;
  Genome genome = input;
  RepairInRange(layout, genome);
  const SearchSpace& space = layout.space();
  ArchSpec spec;
  spec.set_vocab_size(space.vocab_size());
  spec.set_d_model(space.d_model());
  spec.set_norm_eps(space.norm_eps());
  spec.set_tie_embeddings(space.tie_embeddings());
  spec.set_context_length(space.context_length());
  std::vector<Layer> classes;
  for (int c = 0; c < layout.num_classes(); ++c) {
    classes.push_back(ClassLayer(layout, genome, c));
  }
  for (int s = 0; s < layout.depth(); ++s) {
    Layer* layer = spec.add_layers();
    *layer = classes[genome[layout.slot(s).liv_class]];
    // Repair left KV groups on attention slots only.
    if (const uint32_t group = Value(genome, layout.slot(s).kv_group); group > 0) {
      const int owner = GroupOwner(layout, genome, s, group, &GenomeLayout::SlotGenes::kv_group);
      if (owner >= 0) {
        layer->mutable_attention()->set_kv_source_layer(static_cast<uint32_t>(owner));
      }
    }
    if (const uint32_t group = Value(genome, layout.slot(s).weight_group); group > 0) {
      const int owner =
          GroupOwner(layout, genome, s, group, &GenomeLayout::SlotGenes::weight_group);
      if (owner >= 0) layer->set_weight_source_layer(static_cast<uint32_t>(owner));
    }
  }
  return spec;
}

Genome RandomGenome(const GenomeLayout& layout, const UniformIndex& uniform) {
  Genome genome(layout.size());
  for (size_t i = 0; i < genome.size(); ++i) {
    // Clamped in case a generator misbehaves: a genome must stay in range.
    genome[i] = std::min(uniform(layout.gene(i).cardinality), layout.gene(i).cardinality - 1);
  }
  RepairInRange(layout, genome);
  return genome;
}

std::string DescribeGenome(const GenomeLayout& layout, const Genome& genome) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < genome.size() && i < layout.size(); ++i) {
    parts.push_back(
        absl::StrCat(layout.gene(i).name, "=", ValueName(layout, static_cast<int>(i), genome[i])));
  }
  if (genome.size() != layout.size()) {
    parts.push_back(absl::StrCat("(", genome.size(), " genes, layout has ", layout.size(), ")"));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace nas::star
