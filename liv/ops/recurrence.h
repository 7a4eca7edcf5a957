// Gated linear attention (the recurrence LIV family, see Recurrence in
// proto/arch_spec.proto) between its projections: per head, a head_dim x head_dim state
// with an input-dependent per-channel decay, updated token by token, then an output gate.
// Work is split over heads, so results do not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/kernels/kernels.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv::ops {

// The decay normaliser of gated linear attention: alpha = exp(log_sigmoid(a) / 16).
inline constexpr float kGlaDecayNormalizer = 16.0f;

// proj: tokens rows (stride ldp) of [q | k | v | a | g], each heads*head_dim wide; q and a
// are overwritten. state: heads x head_dim x head_dim. out: tokens x heads*head_dim
// (stride ldo) = o * silu(g).
void GatedLinearAttention(ThreadPool& pool, const kernels::KernelTable& kt, float* proj,
                          size_t ldp, size_t tokens, uint32_t heads, uint32_t head_dim,
                          float* state, float* out, size_t ldo);

}  // namespace nas::liv::ops
