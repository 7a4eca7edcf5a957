// The static cost model: what an ArchSpec costs before anything runs — parameters, weight
// bytes per storage type (stored and read per decoded token), cache bytes as a function of
// context, FLOPs of prefill and decode. The search uses it to reject candidates cheaply;
// liv-measure reports it next to measurements so it can be checked. Predicted peak memory
// lives in memory_plan.h (it depends on how the runtime lays out its buffers). Pure
// functions of a validated spec.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

// kI4G32 is ExecuTorch's "8da4w": int4 symmetric weights per group of 32 with an fp16
// scale (liv/quant/blocks.h), int8 activations quantized per token.
enum class WeightType { kF32, kF16, kQ8_0, kQ4_0, kI4G32 };

std::string_view WeightTypeName(WeightType type);  // "f32", "f16", "q8_0", "q4_0", "8da4w"
absl::StatusOr<WeightType> ParseWeightType(std::string_view name);

// The element type of the K/V cache: f32, or IEEE half (converted round to nearest even).
enum class KvType { kF32, kF16 };

std::string_view KvTypeName(KvType type);  // "f32", "f16"
absl::StatusOr<KvType> ParseKvType(std::string_view name);
uint64_t KvElementBytes(KvType type);      // 4, 2

// Bytes of one stored row of `cols` weights. Quantized types use 32-weight blocks (Q8_0:
// 34 bytes, Q4_0 and 8da4w: 18 bytes); a row whose length is not a multiple of 32 is
// stored in f16, as llama.cpp falls back (StorageType).
uint64_t RowBytes(WeightType type, uint64_t cols);
// The type a matrix of `cols` columns is actually stored in when `type` is asked for.
WeightType StorageType(WeightType type, uint64_t cols);

// Bytes of all stored weights: matrices and the embedding in `type`; norms and conv taps in
// f32. Weights shared between layers (weight_source_layer) are stored, and counted, once.
uint64_t WeightBytes(const ArchSpec& spec, WeightType type);

// Weight bytes one decode step streams: every stored weight once (the whole embedding
// included, an upper bound when it is not tied to the output, where only the token's row
// is read), plus the shared tensors again for each layer that reuses another's weights (it
// reads them once more; on a model small enough for the caches they may come from there).
// Equals WeightBytes for a spec without weight sharing.
uint64_t DecodeWeightBytesRead(const ArchSpec& spec, WeightType type);

// Per-sequence state after `context` tokens. KV counts only layers that own their K/V
// (KV-sharing layers read their source's); a windowed layer keeps min(context, window)
// positions, of kv_element_bytes per value (KvElementBytes). Conv state is kernel_size-1
// values per channel; recurrent state a head_dim x head_dim matrix per head; both are
// independent of context. Weight sharing changes no state: every layer keeps its own.
struct CacheBytes {
  uint64_t kv = 0;
  uint64_t conv_state = 0;
  uint64_t recurrent_state = 0;
  uint64_t total() const { return kv + conv_state + recurrent_state; }
};
CacheBytes CacheBytesAt(const ArchSpec& spec, uint64_t context, uint64_t kv_element_bytes = 4);

// Multiply-adds count 2 FLOPs. Counted: every projection, attention scores and weighted
// sums (over the keys each query sees), the convolution taps and the recurrence update and
// readout; a layer that shares another's weights still computes, so it counts in full.
// Element-wise work (norms, gates, softmax) is not counted.
// A prefill of n tokens into an empty cache computes logits for the last token only.
uint64_t PrefillFlops(const ArchSpec& spec, uint64_t n);
// One decode step with `depth` tokens already cached (the new token sees depth+1 keys).
uint64_t DecodeFlops(const ArchSpec& spec, uint64_t depth);

}  // namespace nas::liv
