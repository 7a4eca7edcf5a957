#include "liv/model/lfm2_presets.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::liv {
namespace {

struct Lfm2Config {
  const char* name;
  int d_model;
  int layers;
  std::set<int> attention_layers;
  int heads;
  int ff_config;      // block_ff_dim as published in the config
  bool auto_adjust;   // block_auto_adjust_ff_dim
};

const std::vector<Lfm2Config>& Configs() {
  static const auto* configs = new std::vector<Lfm2Config>{
      {"LFM2-350M", 1024, 16, {2, 5, 8, 10, 12, 14}, 16, 6656, true},
      {"LFM2-700M", 1536, 16, {2, 5, 8, 10, 12, 14}, 24, 10240, true},
      {"LFM2-1.2B", 2048, 16, {2, 5, 8, 10, 12, 14}, 32, 12288, true},
      {"LFM2-2.6B", 2048, 30, {2, 5, 9, 13, 17, 21, 24, 27}, 32, 10752, false},
  };
  return *configs;
}

constexpr int kVocab = 65536;
constexpr int kKvHeads = 8;
constexpr int kHeadDim = 64;
constexpr int kConvLength = 3;
constexpr float kRopeTheta = 1e6f;
constexpr float kNormEps = 1e-5f;
constexpr int kContext = 32768;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

ArchSpec Build(const Lfm2Config& c) {
  ArchSpec spec;
  spec.set_name(c.name);
  spec.set_vocab_size(kVocab);
  spec.set_d_model(c.d_model);
  spec.set_norm_eps(kNormEps);
  spec.set_tie_embeddings(true);
  spec.set_context_length(kContext);
  const int ff = c.auto_adjust ? AdjustFfDim(c.ff_config) : c.ff_config;
  for (int i = 0; i < c.layers; ++i) {
    Layer* layer = spec.add_layers();
    if (c.attention_layers.count(i)) {
      Attention* a = layer->mutable_attention();
      a->set_num_heads(c.heads);
      a->set_num_kv_heads(kKvHeads);
      a->set_head_dim(kHeadDim);
      a->set_qk_norm(true);
      a->set_rope_theta(kRopeTheta);
    } else {
      ShortConv* conv = layer->mutable_short_conv();
      conv->set_kernel_size(kConvLength);
      conv->set_gating(ShortConv::DOUBLE);
    }
    layer->mutable_swiglu()->set_hidden(ff);
  }
  return spec;
}

}  // namespace

int AdjustFfDim(int ff, double multiplier) {
  int adjusted = static_cast<int>(2.0 * ff / 3.0);
  adjusted = static_cast<int>(multiplier * adjusted);
  constexpr int kMultipleOf = 256;
  return kMultipleOf * ((adjusted + kMultipleOf - 1) / kMultipleOf);
}

std::vector<std::string> PresetNames() {
  std::vector<std::string> names;
  for (const Lfm2Config& c : Configs()) names.push_back(c.name);
  return names;
}

absl::StatusOr<ArchSpec> PresetArchSpec(std::string_view name) {
  const std::string wanted = Lower(name);
  for (const Lfm2Config& c : Configs()) {
    if (Lower(c.name) == wanted) return Build(c);
  }
  return absl::NotFoundError(absl::StrCat("unknown preset \"", std::string(name), "\" (known: ",
                                          absl::StrJoin(PresetNames(), ", "), ")"));
}

}  // namespace nas::liv
