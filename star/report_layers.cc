#include "star/report_layers.h"

#include "absl/strings/str_cat.h"

namespace nas::star {
namespace {

std::string TokenMixer(const Layer& layer) {
  switch (layer.token_mixer_case()) {
    case Layer::kAttention: {
      const Attention& a = layer.attention();
      std::string out =
          absl::StrCat(a.sliding_window() > 0 ? "sliding-window " : "", "GQA ", a.num_heads(), "/",
                       a.num_kv_heads(), " heads x", a.head_dim());
      if (a.sliding_window() > 0) absl::StrAppend(&out, ", window ", a.sliding_window());
      if (a.qk_norm()) absl::StrAppend(&out, ", qk-norm");
      if (a.has_kv_source_layer()) absl::StrAppend(&out, ", K/V of layer ", a.kv_source_layer());
      return out;
    }
    case Layer::kShortConv:
      return absl::StrCat("short conv k", layer.short_conv().kernel_size(), ", ",
                          ShortConv::Gating_Name(layer.short_conv().gating()), " gating");
    case Layer::kRecurrence:
      return absl::StrCat("recurrence ", layer.recurrence().num_heads(), " heads x",
                          layer.recurrence().head_dim());
    default:
      return "none";
  }
}

}  // namespace

std::vector<results::LayerDetail> LayerDetails(const ArchSpec& spec) {
  std::vector<results::LayerDetail> out;
  for (const Layer& layer : spec.layers()) {
    results::LayerDetail d;
    d.set_token_mixer(TokenMixer(layer));
    d.set_width(static_cast<int32_t>(spec.d_model()));
    switch (layer.channel_mixer_case()) {
      case Layer::kSwiglu:
        d.set_channel_mixer(absl::StrCat("SwiGLU ", layer.swiglu().hidden()));
        d.set_mixer_width(static_cast<int32_t>(layer.swiglu().hidden()));
        break;
      case Layer::kGeluMlp:
        d.set_channel_mixer(absl::StrCat("GELU ", layer.gelu_mlp().hidden()));
        d.set_mixer_width(static_cast<int32_t>(layer.gelu_mlp().hidden()));
        break;
      default:
        d.set_channel_mixer("none");
    }
    if (layer.has_weight_source_layer()) {
      d.set_shares_weights_with(absl::StrCat("layer ", layer.weight_source_layer()));
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<results::LegendEntry> LayerLegend() {
  std::vector<results::LegendEntry> out;
  for (const auto& [letter, meaning] :
       {std::pair{"A", "attention"}, std::pair{"W", "sliding-window attention"},
        std::pair{"C", "gated short conv"}, std::pair{"R", "recurrence"},
        std::pair{"-", "no token mixer"},
        std::pair{"a w c r", "weights shared with an earlier layer"}}) {
    results::LegendEntry e;
    e.set_letter(letter);
    e.set_meaning(meaning);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace nas::star
