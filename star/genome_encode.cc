#include "star/genome_encode.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "liv/model/arch_spec_validate.h"

namespace nas::star {
namespace {

using ::google::protobuf::RepeatedField;

absl::Status Error(const std::string& path, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

template <typename T>
std::string Show(const T& v) {
  return absl::StrCat(v);
}
std::string Show(bool v) { return v ? "true" : "false"; }

template <typename T>
std::string Join(const RepeatedField<T>& list) {
  std::vector<std::string> out;
  for (const T& v : list) out.push_back(Show(v));
  return absl::StrJoin(out, ", ");
}

// The position of `value` in a value list of the space, or an error naming both.
template <typename T>
absl::Status Pick(const RepeatedField<T>& list, T value, const std::string& path,
                  const std::string& list_path, int gene, Genome& genome) {
  const auto it = std::find(list.begin(), list.end(), value);
  if (it == list.end()) {
    return Error(path, absl::StrCat(Show(value), " is not among the choices (", list_path, ": ",
                                    Join(list), ")"));
  }
  genome[gene] = static_cast<uint32_t>(it - list.begin());
  return absl::OkStatus();
}

absl::Status PickFamily(const GenomeLayout& layout, TokenMixerFamily family,
                        const std::string& path, const char* name, int gene, Genome& genome) {
  const auto& families = layout.families();
  const auto it = std::find(families.begin(), families.end(), family);
  if (it == families.end()) {
    return Error(
        path, absl::StrCat("the space allows no ", name, " (token_mixers.", name, " is absent)"));
  }
  genome[gene] = static_cast<uint32_t>(it - families.begin());
  return absl::OkStatus();
}

absl::Status PickKind(const GenomeLayout& layout, ChannelMixerKind kind, const std::string& path,
                      const char* why, int gene, Genome& genome) {
  const auto& kinds = layout.channel_kinds();
  const auto it = std::find(kinds.begin(), kinds.end(), kind);
  if (it == kinds.end()) return Error(path, why);
  genome[gene] = static_cast<uint32_t>(it - kinds.begin());
  return absl::OkStatus();
}

// Sets the genes of class `c` to describe `layer` (whose kv_source_layer is cleared).
absl::Status EncodeClass(const GenomeLayout& layout, const Layer& layer, int index, int c,
                         Genome& genome) {
  const GenomeLayout::ClassGenes& g = layout.liv_class(c);
  const TokenMixerChoices& t = layout.space().token_mixers();
  const std::string path = absl::StrCat("layers[", index, "]");
  if (layer.has_attention()) {
    const std::string p = path + ".attention";
    const std::string lp = "token_mixers.attention";
    if (auto s = PickFamily(layout, TokenMixerFamily::kAttention, p, "attention", g.family, genome);
        !s.ok()) {
      return s;
    }
    const Attention& a = layer.attention();
    const AttentionChoices& choices = t.attention();
    for (const auto& s : {Pick(choices.num_heads(), a.num_heads(), p + ".num_heads",
                               lp + ".num_heads", g.attention_heads, genome),
                          Pick(choices.num_kv_heads(), a.num_kv_heads(), p + ".num_kv_heads",
                               lp + ".num_kv_heads", g.attention_kv_heads, genome),
                          Pick(choices.head_dims(), a.head_dim(), p + ".head_dim",
                               lp + ".head_dims", g.attention_head_dim, genome),
                          Pick(choices.qk_norm(), a.qk_norm(), p + ".qk_norm", lp + ".qk_norm",
                               g.attention_qk_norm, genome),
                          Pick(choices.rope_thetas(), a.rope_theta(), p + ".rope_theta",
                               lp + ".rope_thetas", g.attention_rope_theta, genome),
                          Pick(choices.sliding_windows(), a.sliding_window(), p + ".sliding_window",
                               lp + ".sliding_windows", g.attention_window, genome)}) {
      if (!s.ok()) return s;
    }
  } else if (layer.has_short_conv()) {
    const std::string p = path + ".short_conv";
    const std::string lp = "token_mixers.short_conv";
    if (auto s =
            PickFamily(layout, TokenMixerFamily::kShortConv, p, "short_conv", g.family, genome);
        !s.ok()) {
      return s;
    }
    const ShortConv& conv = layer.short_conv();
    if (auto s = Pick(t.short_conv().kernel_sizes(), conv.kernel_size(), p + ".kernel_size",
                      lp + ".kernel_sizes", g.conv_kernel, genome);
        !s.ok()) {
      return s;
    }
    const auto& gatings = t.short_conv().gatings();
    const auto it = std::find(gatings.begin(), gatings.end(), static_cast<int>(conv.gating()));
    if (it == gatings.end()) {
      std::vector<std::string> names;
      for (int gating : gatings) names.push_back(ShortConv::Gating_Name(gating));
      return Error(p + ".gating", absl::StrCat(ShortConv::Gating_Name(conv.gating()),
                                               " is not among the choices (", lp,
                                               ".gatings: ", absl::StrJoin(names, ", "), ")"));
    }
    genome[g.conv_gating] = static_cast<uint32_t>(it - gatings.begin());
  } else {
    const std::string p = path + ".recurrence";
    const std::string lp = "token_mixers.recurrence";
    if (auto s =
            PickFamily(layout, TokenMixerFamily::kRecurrence, p, "recurrence", g.family, genome);
        !s.ok()) {
      return s;
    }
    const Recurrence& r = layer.recurrence();
    if (auto s = Pick(t.recurrence().num_heads(), r.num_heads(), p + ".num_heads",
                      lp + ".num_heads", g.recurrence_heads, genome);
        !s.ok()) {
      return s;
    }
    if (auto s = Pick(t.recurrence().head_dims(), r.head_dim(), p + ".head_dim", lp + ".head_dims",
                      g.recurrence_head_dim, genome);
        !s.ok()) {
      return s;
    }
  }
  const ChannelMixerChoices& ch = layout.space().channel_mixers();
  if (layer.has_swiglu()) {
    if (auto s = PickKind(layout, ChannelMixerKind::kSwiGlu, path + ".swiglu",
                          "the space allows no SwiGLU (channel_mixers.swiglu_hidden is empty)",
                          g.channel_mixer, genome);
        !s.ok()) {
      return s;
    }
    return Pick(ch.swiglu_hidden(), layer.swiglu().hidden(), path + ".swiglu.hidden",
                "channel_mixers.swiglu_hidden", g.swiglu_hidden, genome);
  }
  if (layer.has_gelu_mlp()) {
    if (auto s = PickKind(layout, ChannelMixerKind::kGeluMlp, path + ".gelu_mlp",
                          "the space allows no GELU MLP (channel_mixers.gelu_hidden is empty)",
                          g.channel_mixer, genome);
        !s.ok()) {
      return s;
    }
    return Pick(ch.gelu_hidden(), layer.gelu_mlp().hidden(), path + ".gelu_mlp.hidden",
                "channel_mixers.gelu_hidden", g.gelu_hidden, genome);
  }
  return PickKind(layout, ChannelMixerKind::kNone, path + ".no_channel_mixer",
                  "the space allows no layer without a channel mixer (channel_mixers.allow_none "
                  "is false)",
                  g.channel_mixer, genome);
}

absl::Status CheckShape(const ArchSpec& spec, const SearchSpace& space) {
  const auto differs = [](const char* field, const std::string& got, const std::string& want) {
    return Error(field, absl::StrCat(got, " differs from the space's (", want, ")"));
  };
  if (spec.vocab_size() != space.vocab_size()) {
    return differs("vocab_size", Show(spec.vocab_size()), Show(space.vocab_size()));
  }
  if (spec.d_model() != space.d_model()) {
    return differs("d_model", Show(spec.d_model()), Show(space.d_model()));
  }
  if (spec.norm_eps() != space.norm_eps()) {
    return differs("norm_eps", Show(spec.norm_eps()), Show(space.norm_eps()));
  }
  if (spec.tie_embeddings() != space.tie_embeddings()) {
    return differs("tie_embeddings", Show(spec.tie_embeddings()), Show(space.tie_embeddings()));
  }
  if (spec.context_length() != space.context_length()) {
    return differs("context_length", Show(spec.context_length()), Show(space.context_length()));
  }
  if (static_cast<uint32_t>(spec.layers_size()) != space.depth()) {
    return Error("layers",
                 absl::StrCat(spec.layers_size(), " layers; the space's depth is ", space.depth()));
  }
  return absl::OkStatus();
}

std::string Key(const Layer& layer) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  layer.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

}  // namespace

absl::StatusOr<Genome> Encode(const ArchSpec& spec, const GenomeLayout& layout) {
  if (auto s = liv::ValidateArchSpec(spec); !s.ok()) return s;
  const SearchSpace& space = layout.space();
  if (auto s = CheckShape(spec, space); !s.ok()) return s;
  Genome genome(layout.size(), 0);
  std::vector<std::string> classes;
  for (int i = 0; i < spec.layers_size(); ++i) {
    Layer layer = spec.layers(i);
    if (layer.has_attention()) layer.mutable_attention()->clear_kv_source_layer();
    layer.clear_weight_source_layer();
    const std::string key = Key(layer);
    auto it = std::find(classes.begin(), classes.end(), key);
    if (it == classes.end()) {
      if (classes.size() == space.max_liv_classes()) {
        return Error(absl::StrCat("layers[", i, "]"),
                     absl::StrCat("a distinct layer configuration beyond the space's ",
                                  "max_liv_classes (", space.max_liv_classes(), ")"));
      }
      classes.push_back(key);
      it = classes.end() - 1;
      if (auto s = EncodeClass(layout, layer, i, static_cast<int>(classes.size()) - 1, genome);
          !s.ok()) {
        return s;
      }
    }
    genome[layout.slot(i).liv_class] = static_cast<uint32_t>(it - classes.begin());
  }
  std::map<uint32_t, uint32_t> group_of_source;
  for (int i = 0; i < spec.layers_size(); ++i) {
    const Layer& layer = spec.layers(i);
    if (!layer.has_attention() || !layer.attention().has_kv_source_layer()) continue;
    const uint32_t source = layer.attention().kv_source_layer();
    auto [it, added] =
        group_of_source.emplace(source, static_cast<uint32_t>(group_of_source.size() + 1));
    if (it->second > space.kv_sharing_groups()) {
      return Error(
          absl::StrCat("layers[", i, "].attention.kv_source_layer"),
          space.kv_sharing_groups() == 0
              ? std::string("KV sharing is disabled in this space (kv_sharing_groups: 0)")
              : absl::StrCat("needs KV-sharing group ", it->second,
                             " but the space has kv_sharing_groups: ", space.kv_sharing_groups()));
    }
    genome[layout.slot(static_cast<int>(source)).kv_group] = it->second;
    genome[layout.slot(i).kv_group] = it->second;
  }
  // Weight-sharing groups, numbered in order of their sources.
  std::map<uint32_t, uint32_t> weight_group_of_source;
  for (const Layer& layer : spec.layers()) {
    if (layer.has_weight_source_layer()) {
      weight_group_of_source.emplace(layer.weight_source_layer(), 0);
    }
  }
  uint32_t next_group = 1;
  for (auto& [source, group] : weight_group_of_source) group = next_group++;
  for (int i = 0; i < spec.layers_size(); ++i) {
    const Layer& layer = spec.layers(i);
    if (!layer.has_weight_source_layer()) continue;
    const uint32_t source = layer.weight_source_layer();
    if (source >= static_cast<uint32_t>(i)) {  // liv::ValidateArchSpec rejects it too
      return Error(absl::StrCat("layers[", i, "].weight_source_layer"),
                   absl::StrCat(source, " is not an earlier layer"));
    }
    const uint32_t group = weight_group_of_source.at(source);
    if (group > space.weight_sharing_groups()) {
      return Error(absl::StrCat("layers[", i, "].weight_source_layer"),
                   space.weight_sharing_groups() == 0
                       ? std::string("weight sharing is disabled in this space "
                                     "(weight_sharing_groups: 0)")
                       : absl::StrCat("needs weight-sharing group ", group,
                                      " but the space has weight_sharing_groups: ",
                                      space.weight_sharing_groups()));
    }
    genome[layout.slot(static_cast<int>(source)).weight_group] = group;
    genome[layout.slot(i).weight_group] = group;
  }
  absl::StatusOr<ArchSpec> decoded = Decode(layout, genome);
  if (!decoded.ok()) return decoded.status();
  google::protobuf::util::MessageDifferencer differ;
  differ.IgnoreField(ArchSpec::descriptor()->FindFieldByName("name"));
  std::string diff;
  differ.ReportDifferencesToString(&diff);
  if (!differ.Compare(spec, *decoded)) {
    return absl::InternalError(absl::StrCat("encoding does not round-trip (a bug): ",
                                            absl::StrJoin(absl::StrSplit(diff, '\n'), "; ")));
  }
  return genome;
}

}  // namespace nas::star
