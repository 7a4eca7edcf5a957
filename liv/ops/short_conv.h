// The gated short convolution (LFM2's LIV convolution) between its two projections: given
// the input projection of each token, applies the gates and the causal depthwise
// convolution with carried state (see ShortConv in proto/arch_spec.proto). Work is split
// over channels; the state is per channel, so results do not depend on the thread count.
#pragma once

#include <cstddef>

#include "liv/kernels/kernels.h"
#include "liv/runtime/thread_pool.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv::ops {

// proj: tokens rows (stride ldp) of [B | C | x] (DOUBLE), [C | x] (OUTPUT_ONLY) or [x]
// (NONE), each d wide; it is overwritten (x becomes B * x). taps: d x kernel_len.
// state: (kernel_len - 1) x d, oldest first. out: tokens x d (stride ldo).
void GatedShortConv(ThreadPool& pool, const kernels::KernelTable& kt, ShortConv::Gating gating,
                    float* proj, size_t ldp, size_t tokens, size_t d, const float* taps,
                    size_t kernel_len, float* state, float* out, size_t ldo);

}  // namespace nas::liv::ops
