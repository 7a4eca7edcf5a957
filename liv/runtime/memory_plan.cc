#include "liv/runtime/memory_plan.h"

#include <algorithm>

#include "liv/model/weight_layout.h"
#include "liv/runtime/weight_matrix.h"

namespace nas::liv {
namespace {

constexpr uint64_t kFloat = 4;

uint64_t ProjWidth(const Layer& layer, uint64_t d) {
  uint64_t w = 0;
  if (layer.has_attention()) {
    const Attention& a = layer.attention();
    w = uint64_t{a.num_heads()} * a.head_dim() + 2 * uint64_t{a.num_kv_heads()} * a.head_dim();
  } else if (layer.has_short_conv()) {
    w = d * ShortConvInProjGroups(layer.short_conv());
  } else if (layer.has_recurrence()) {
    w = 5 * uint64_t{layer.recurrence().num_heads()} * layer.recurrence().head_dim();
  }
  if (layer.has_swiglu()) w = std::max<uint64_t>(w, 2 * uint64_t{layer.swiglu().hidden()});
  if (layer.has_gelu_mlp()) w = std::max<uint64_t>(w, layer.gelu_mlp().hidden());
  return w;
}

uint64_t MixedWidth(const Layer& layer, uint64_t d) {
  if (layer.has_attention()) return uint64_t{layer.attention().num_heads()} * layer.attention().head_dim();
  if (layer.has_recurrence()) return uint64_t{layer.recurrence().num_heads()} * layer.recurrence().head_dim();
  return d;
}

}  // namespace

uint64_t KvBufferBytes(uint64_t capacity, uint64_t kv_heads, uint64_t head_dim, KvType type) {
  return (capacity * kv_heads * head_dim * KvElementBytes(type) + 63) / 64 * 64;
}

uint64_t AttentionScratchFloats(uint64_t tokens, uint64_t capacity, uint64_t head_dim,
                                KvType type) {
  const uint64_t block = std::min<uint64_t>(tokens, kAttentionQueryBlock);
  const uint64_t scores = AlignedFloats(block * capacity);
  const bool converts = type != KvType::kF32 && tokens > 1;
  return scores + (converts ? 2 * AlignedFloats(capacity * head_dim) : 0);
}

MemoryPlan PlanMemory(const ArchSpec& spec, WeightType type, const RuntimeOptions& options) {
  MemoryPlan plan;
  const uint64_t d = spec.d_model();
  const uint64_t batch = std::max<uint32_t>(options.max_batch, 1);
  const uint64_t threads = std::max(options.threads, 1);
  plan.weights = WeightBytes(spec, type);
  plan.kv_capacity.assign(spec.layers_size(), 0);
  plan.mixed_width = d;
  for (int i = 0; i < spec.layers_size(); ++i) {
    const Layer& layer = spec.layers(i);
    plan.proj_width = std::max(plan.proj_width, ProjWidth(layer, d));
    plan.mixed_width = std::max(plan.mixed_width, MixedWidth(layer, d));
    if (layer.has_attention()) {
      const Attention& a = layer.attention();
      plan.rope_width = std::max<uint64_t>(plan.rope_width, a.head_dim());
      if (!OwnsKv(a)) continue;
      uint64_t capacity = options.max_context;
      if (a.sliding_window() > 0) {
        capacity = std::min<uint64_t>(capacity, uint64_t{a.sliding_window()} + batch);
      }
      plan.kv_capacity[i] = capacity;
      plan.kv_cache +=
          2 * KvBufferBytes(capacity, a.num_kv_heads(), a.head_dim(), options.kv_type);
      plan.attention_scratch_stride =
          std::max(plan.attention_scratch_stride,
                   AttentionScratchFloats(batch, capacity, a.head_dim(), options.kv_type));
    } else if (layer.has_short_conv()) {
      plan.conv_state +=
          AlignedFloats(uint64_t{layer.short_conv().kernel_size() - 1} * d) * kFloat;
    } else if (layer.has_recurrence()) {
      const uint64_t hd = layer.recurrence().head_dim();
      plan.recurrent_state +=
          AlignedFloats(uint64_t{layer.recurrence().num_heads()} * hd * hd) * kFloat;
    }
  }
  // hidden, normed, out: batch x d each; proj and mixed at their widths; rope tables.
  plan.activations = (3 * AlignedFloats(batch * d) + AlignedFloats(batch * plan.proj_width) +
                      AlignedFloats(batch * plan.mixed_width) +
                      AlignedFloats(batch * plan.rope_width)) *
                     kFloat;
  plan.attention_scratch = threads * plan.attention_scratch_stride * kFloat;
  plan.logits = AlignedFloats(spec.vocab_size()) * kFloat;
  // Activations quantized for the widest product with f16 / quantized weights.
  uint64_t widest = 0;
  for (const TensorShape& t : WeightLayout(spec)) {
    if ((t.role == TensorRole::kMatrix || t.role == TensorRole::kEmbedding) &&
        StorageType(type, t.cols) != WeightType::kF32) {
      widest = std::max(widest, t.cols);
    }
  }
  if (widest > 0) plan.activation_quant = (ActivationScratchBytes(batch, widest) + 63) / 64 * 64;
  return plan;
}

}  // namespace nas::liv
