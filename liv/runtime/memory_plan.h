// The memory plan of a run: every buffer the runtime will allocate for a spec, computed
// before the first token so nothing is allocated per step. Sessions allocate exactly these
// sizes, so the plan's total is also the cost model's predicted peak memory (plus the
// process's own baseline, which the measuring tool adds). Pure functions; thread-safe.
//
// Caches: a full-attention layer that owns its K/V keeps max_context positions; a windowed
// one a ring of min(max_context, window + max_batch) positions, so that writing a whole
// prefill chunk never overwrites a key that a query of the same chunk still needs.
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
  uint64_t max_kv_capacity = 0;

  // Bytes.
  uint64_t weights = 0;             // WeightBytes: weights shared between layers once
  uint64_t kv_cache = 0;
  uint64_t conv_state = 0;
  uint64_t recurrent_state = 0;
  uint64_t activations = 0;         // per-chunk buffers (max_batch tokens)
  uint64_t activation_quant = 0;    // quantized activations for non-f32 weights
  uint64_t attention_scratch = 0;   // scores, one block per thread
  uint64_t logits = 0;

  uint64_t caches() const { return kv_cache + conv_state + recurrent_state; }
  uint64_t total() const {
    return weights + caches() + activations + activation_quant + attention_scratch + logits;
  }
};

MemoryPlan PlanMemory(const ArchSpec& spec, WeightType type, const RuntimeOptions& options);

// Floats of a buffer of `n` floats once rounded up to a 64-byte cache line.
inline uint64_t AlignedFloats(uint64_t n) { return (n + 15) / 16 * 16; }

}  // namespace nas::liv
