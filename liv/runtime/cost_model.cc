#include "liv/runtime/cost_model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "liv/model/weight_layout.h"

namespace nas::liv {
namespace {

constexpr uint64_t kBlock = 32;

// Bytes of one tensor: matrices and the embedding in `type`; norms and conv taps in f32.
uint64_t TensorBytes(const TensorShape& t, WeightType type) {
  const bool stored_in_type = t.role == TensorRole::kMatrix || t.role == TensorRole::kEmbedding;
  return stored_in_type ? t.rows * RowBytes(type, t.cols) : 4 * t.elements();
}

// FLOPs of everything that scales with tokens but not with what came before. Every layer
// computes with the tensors it reads, shared or not.
uint64_t PerTokenMatrixFlops(const ArchSpec& spec) {
  uint64_t flops = 0;
  for (int i = 0; i < spec.layers_size(); ++i) {
    for (const TensorShape& t : LayerTensors(spec, i)) {
      if (t.role == TensorRole::kMatrix || t.role == TensorRole::kConvTaps) {
        flops += 2 * t.elements();
      }
    }
  }
  for (const Layer& layer : spec.layers()) {
    if (layer.has_recurrence()) {
      const uint64_t h = layer.recurrence().num_heads(), d = layer.recurrence().head_dim();
      flops += 4 * h * d * d;  // S = diag(a) S + k v^T, then o = S^T q
    }
  }
  return flops;
}

uint64_t OutputFlops(const ArchSpec& spec) {
  return 2 * uint64_t{spec.vocab_size()} * spec.d_model();
}

// Keys seen by a query at 0-based position p.
uint64_t KeysSeen(const Attention& a, uint64_t p) {
  const uint64_t keys = p + 1;
  return a.sliding_window() == 0 ? keys : std::min<uint64_t>(keys, a.sliding_window());
}

// Sum over p in [0, n) of KeysSeen(a, p).
uint64_t KeysSeenSum(const Attention& a, uint64_t n) {
  const uint64_t w = a.sliding_window();
  if (w == 0 || n <= w) return n * (n + 1) / 2;
  return w * (w + 1) / 2 + (n - w) * w;
}

uint64_t AttentionFlopsPerKey(const Attention& a) {
  return 4 * uint64_t{a.num_heads()} * a.head_dim();  // q.k and p.v
}

}  // namespace

std::string_view WeightTypeName(WeightType type) {
  switch (type) {
    case WeightType::kF32: return "f32";
    case WeightType::kF16: return "f16";
    case WeightType::kQ8_0: return "q8_0";
    case WeightType::kQ4_0: return "q4_0";
    case WeightType::kI4G32: return "8da4w";
  }
  return "?";
}

absl::StatusOr<WeightType> ParseWeightType(std::string_view name) {
  for (WeightType t : {WeightType::kF32, WeightType::kF16, WeightType::kQ8_0,
                       WeightType::kQ4_0, WeightType::kI4G32}) {
    if (WeightTypeName(t) == name) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown weight type \"", std::string(name),
                                                 "\" (known: f32, f16, q8_0, q4_0, 8da4w)"));
}

std::string_view KvTypeName(KvType type) {
  return type == KvType::kF16 ? "f16" : "f32";
}

absl::StatusOr<KvType> ParseKvType(std::string_view name) {
  for (KvType t : {KvType::kF32, KvType::kF16}) {
    if (KvTypeName(t) == name) return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown KV cache type \"", std::string(name), "\" (known: f32, f16)"));
}

uint64_t KvElementBytes(KvType type) { return type == KvType::kF16 ? 2 : 4; }

WeightType StorageType(WeightType type, uint64_t cols) {
  const bool blocks_fit = cols % kBlock == 0;
  switch (type) {
    case WeightType::kQ8_0:
    case WeightType::kQ4_0:
    case WeightType::kI4G32:
      return blocks_fit ? type : WeightType::kF16;
    default:
      return type;
  }
}

uint64_t RowBytes(WeightType type, uint64_t cols) {
  switch (StorageType(type, cols)) {
    case WeightType::kF32: return 4 * cols;
    case WeightType::kF16: return 2 * cols;
    case WeightType::kQ8_0: return cols / kBlock * 34;
    case WeightType::kQ4_0:
    case WeightType::kI4G32: return cols / kBlock * 18;
  }
  return 4 * cols;
}

uint64_t WeightBytes(const ArchSpec& spec, WeightType type) {
  uint64_t bytes = 0;
  for (const TensorShape& t : WeightLayout(spec)) bytes += TensorBytes(t, type);
  return bytes;
}

uint64_t DecodeWeightBytesRead(const ArchSpec& spec, WeightType type) {
  uint64_t bytes = WeightBytes(spec, type);
  for (int i = 0; i < spec.layers_size(); ++i) {
    if (WeightOwner(spec, i) == i) continue;
    for (const TensorShape& t : LayerTensors(spec, i)) bytes += TensorBytes(t, type);
  }
  return bytes;
}

CacheBytes CacheBytesAt(const ArchSpec& spec, uint64_t context, uint64_t kv_element_bytes) {
  CacheBytes c;
  for (const Layer& layer : spec.layers()) {
    if (layer.has_attention()) {
      const Attention& a = layer.attention();
      if (!OwnsKv(a)) continue;
      const uint64_t positions =
          a.sliding_window() == 0 ? context : std::min<uint64_t>(context, a.sliding_window());
      c.kv += 2 * positions * a.num_kv_heads() * a.head_dim() * kv_element_bytes;
    } else if (layer.has_short_conv()) {
      c.conv_state += 4 * uint64_t{layer.short_conv().kernel_size() - 1} * spec.d_model();
    } else if (layer.has_recurrence()) {
      const uint64_t d = layer.recurrence().head_dim();
      c.recurrent_state += 4 * uint64_t{layer.recurrence().num_heads()} * d * d;
    }
  }
  return c;
}

uint64_t PrefillFlops(const ArchSpec& spec, uint64_t n) {
  if (n == 0) return 0;
  uint64_t flops = n * PerTokenMatrixFlops(spec) + OutputFlops(spec);
  for (const Layer& layer : spec.layers()) {
    if (layer.has_attention()) {
      flops += AttentionFlopsPerKey(layer.attention()) * KeysSeenSum(layer.attention(), n);
    }
  }
  return flops;
}

uint64_t DecodeFlops(const ArchSpec& spec, uint64_t depth) {
  uint64_t flops = PerTokenMatrixFlops(spec) + OutputFlops(spec);
  for (const Layer& layer : spec.layers()) {
    if (layer.has_attention()) {
      flops += AttentionFlopsPerKey(layer.attention()) * KeysSeen(layer.attention(), depth);
    }
  }
  return flops;
}

}  // namespace nas::liv
