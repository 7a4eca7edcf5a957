// The memory plan of a run: every buffer the runtime will allocate for a spec, computed
// before the first token so nothing is allocated per step. Sessions allocate exactly these
// sizes, so the plan's total is also the cost model's predicted peak memory (plus the
// process's own baseline, which the measuring tool adds). Pure functions; thread-safe.
//
// Caches: a full-attention layer that owns its K/V keeps max_context positions; a windowed
// one a ring of min(max_context, window + max_batch) positions, so that writing a whole
// prefill chunk never overwrites a key that a query of the same chunk still needs. The
// caches hold RuntimeOptions::kv_type elements (f16: half the bytes); a prefill over an f16
// cache also needs, per thread, f32 copies of one KV head's keys and values (scratch).
#pragma once

#include <cstdint>
#include <vector>

#include "liv/runtime/cost_model.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

struct RuntimeOptions {
  uint32_t max_context = 4096;  // positions one session can hold
  uint32_t max_batch = 512;     // tokens per prefill chunk; longer prompts are split
  int threads = 1;              // threads that run each operation (>= 1)
  KvType kv_type = KvType::kF32;  // element type of the K/V caches (f16: half the bytes)
  // CPUs the session's pool threads are pinned to (thread i on pin_cpus[i % size]; see
  // thread_pool.h for the caller's thread 0); empty = no pinning. Does not change the plan.
  std::vector<int> pin_cpus;
};

// Queries per block of the prefill attention (bounds the score scratch).
inline constexpr uint32_t kAttentionQueryBlock = 64;

struct MemoryPlan {
  // Widths (floats per token) of the activation buffers.
  uint64_t proj_width = 0;   // widest input projection of any mixer
  uint64_t mixed_width = 0;  // widest mixer output before its output projection
  uint64_t rope_width = 0;   // cos and sin for the largest head
  std::vector<uint64_t> kv_capacity;  // per layer: positions of its own K/V ring (0 = none)

  // Bytes.
  uint64_t weights = 0;             // WeightBytes: weights shared between layers once
  uint64_t kv_cache = 0;
  uint64_t conv_state = 0;
  uint64_t recurrent_state = 0;
  uint64_t activations = 0;         // per-chunk buffers (max_batch tokens)
  uint64_t activation_quant = 0;    // quantized activations for non-f32 weights
  uint64_t attention_scratch = 0;   // per thread: scores (and f16 K/V as f32 in prefill)
  uint64_t attention_scratch_stride = 0;  // floats of attention scratch per thread
  uint64_t logits = 0;

  uint64_t caches() const { return kv_cache + conv_state + recurrent_state; }
  uint64_t total() const {
    return weights + caches() + activations + activation_quant + attention_scratch + logits;
  }
};

MemoryPlan PlanMemory(const ArchSpec& spec, WeightType type, const RuntimeOptions& options);

// Floats of a buffer of `n` floats once rounded up to a 64-byte cache line.
inline uint64_t AlignedFloats(uint64_t n) { return (n + 15) / 16 * 16; }

// Bytes of the K (or the V) cache of one layer, rounded up to a 64-byte cache line.
uint64_t KvBufferBytes(uint64_t capacity, uint64_t kv_heads, uint64_t head_dim, KvType type);

// Floats of attention scratch one thread needs for up to `tokens` queries over a cache of
// `capacity` positions and `head_dim`: a block of scores, then (f16 cache, several
// queries) one KV head's keys and values in f32, each a whole number of cache lines
// (ops::Attend).
uint64_t AttentionScratchFloats(uint64_t tokens, uint64_t capacity, uint64_t head_dim,
                                KvType type);

}  // namespace nas::liv
