#include "liv/model/weight_layout.h"

#include <string>

namespace nas::liv {
namespace {

std::string Name(int layer, const char* suffix) {
  return "blk." + std::to_string(layer) + "." + suffix;
}

void AddMatrix(std::vector<TensorShape>& out, int layer, const char* suffix, uint64_t rows,
               uint64_t cols) {
  out.push_back({Name(layer, suffix), rows, cols, TensorRole::kMatrix, layer});
}

void AddNorm(std::vector<TensorShape>& out, int layer, const char* suffix, uint64_t n) {
  out.push_back({Name(layer, suffix), 1, n, TensorRole::kNorm, layer});
}

// The tensors `layer` computes with, named after layer `i` (the layer that stores them).
void AddTokenMixer(std::vector<TensorShape>& out, int i, const Layer& layer, uint64_t d) {
  if (layer.has_attention()) {
    const Attention& a = layer.attention();
    const uint64_t q_width = uint64_t{a.num_heads()} * a.head_dim();
    const uint64_t kv_width = uint64_t{a.num_kv_heads()} * a.head_dim();
    AddMatrix(out, i, "attn_q", q_width, d);
    if (OwnsKv(a)) {
      AddMatrix(out, i, "attn_k", kv_width, d);
      AddMatrix(out, i, "attn_v", kv_width, d);
    }
    AddMatrix(out, i, "attn_output", d, q_width);
    if (a.qk_norm()) {
      AddNorm(out, i, "attn_q_norm", a.head_dim());
      if (OwnsKv(a)) AddNorm(out, i, "attn_k_norm", a.head_dim());
    }
  } else if (layer.has_short_conv()) {
    const ShortConv& c = layer.short_conv();
    AddMatrix(out, i, "shortconv.in_proj", d * ShortConvInProjGroups(c), d);
    out.push_back({Name(i, "shortconv.conv"), d, c.kernel_size(), TensorRole::kConvTaps, i});
    AddMatrix(out, i, "shortconv.out_proj", d, d);
  } else if (layer.has_recurrence()) {
    const Recurrence& r = layer.recurrence();
    const uint64_t width = uint64_t{r.num_heads()} * r.head_dim();
    AddMatrix(out, i, "rec_q", width, d);
    AddMatrix(out, i, "rec_k", width, d);
    AddMatrix(out, i, "rec_v", width, d);
    AddMatrix(out, i, "rec_decay", width, d);
    AddMatrix(out, i, "rec_gate", width, d);
    AddMatrix(out, i, "rec_output", d, width);
  }
}

void AddChannelMixer(std::vector<TensorShape>& out, int i, const Layer& layer, uint64_t d) {
  if (layer.has_swiglu()) {
    const uint64_t ff = layer.swiglu().hidden();
    AddNorm(out, i, "ffn_norm", d);
    AddMatrix(out, i, "ffn_gate", ff, d);
    AddMatrix(out, i, "ffn_up", ff, d);
    AddMatrix(out, i, "ffn_down", d, ff);
  } else if (layer.has_gelu_mlp()) {
    const uint64_t ff = layer.gelu_mlp().hidden();
    AddNorm(out, i, "ffn_norm", d);
    AddMatrix(out, i, "ffn_up", ff, d);
    AddMatrix(out, i, "ffn_down", d, ff);
  }
}

// Layer `reader`'s tensors, stored under layer `owner` (the same layer unless it shares).
void AddLayer(std::vector<TensorShape>& out, int owner, const Layer& reader, uint64_t d) {
  AddNorm(out, owner, "attn_norm", d);
  AddTokenMixer(out, owner, reader, d);
  AddChannelMixer(out, owner, reader, d);
}

}  // namespace

int ShortConvInProjGroups(const ShortConv& conv) {
  switch (conv.gating()) {
    case ShortConv::DOUBLE:
      return 3;
    case ShortConv::OUTPUT_ONLY:
      return 2;
    default:
      return 1;
  }
}

bool OwnsKv(const Attention& attention) { return !attention.has_kv_source_layer(); }

bool OwnsWeights(const Layer& layer) { return !layer.has_weight_source_layer(); }

int WeightOwner(const ArchSpec& spec, int i) {
  const Layer& layer = spec.layers(i);
  return OwnsWeights(layer) ? i : static_cast<int>(layer.weight_source_layer());
}

std::vector<TensorShape> WeightLayout(const ArchSpec& spec) {
  const uint64_t d = spec.d_model();
  std::vector<TensorShape> out;
  out.push_back({"token_embd", spec.vocab_size(), d, TensorRole::kEmbedding, -1});
  for (int i = 0; i < spec.layers_size(); ++i) {
    if (OwnsWeights(spec.layers(i))) AddLayer(out, i, spec.layers(i), d);
  }
  out.push_back({"output_norm", 1, d, TensorRole::kNorm, -1});
  if (!spec.tie_embeddings()) {
    out.push_back({"output", spec.vocab_size(), d, TensorRole::kMatrix, -1});
  }
  return out;
}

std::vector<TensorShape> LayerTensors(const ArchSpec& spec, int i) {
  std::vector<TensorShape> out;
  AddLayer(out, WeightOwner(spec, i), spec.layers(i), spec.d_model());
  return out;
}

uint64_t CountParameters(const ArchSpec& spec) {
  uint64_t total = 0;
  for (const TensorShape& t : WeightLayout(spec)) total += t.elements();
  return total;
}

}  // namespace nas::liv
