// Matrix products with stored weights: Y = X W^T where W is an N x K WeightMatrix (one row
// per output feature, weight_matrix.h). Rows of output features are split over the pool.
//   f32 weights: one token (decode) runs the f32 table's gemv on each thread's rows, so it
//     streams the weights at memory bandwidth; several tokens (prefill) run single-threaded
//     OpenBLAS sgemm on each thread's slice, so the pool, not OpenBLAS's threads, owns the
//     cores.
//   f16 and quantized weights: the activations are first quantized (Q8_0 blocks for Q8_0
//     and Q4_0 weights, per-token int8 for 8da4w; none for f16) into `scratch`, token rows
//     split over the pool, then each thread runs the quantized table's gemv (one token) or
//     gemm (several) on its rows.
// Decode (one token) balances the rows over the pool (RunBalanced, thread_pool.h: each
// thread streams its own slice, then takes 64-row chunks from the back of unfinished ones);
// prefill splits them statically.
// Results do not depend on the thread count: every output element is reduced in the same
// order whatever the slicing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/kernels/kernels.h"
#include "liv/quant/quant_kernels.h"
#include "liv/runtime/thread_pool.h"
#include "liv/runtime/weight_matrix.h"

namespace nas::liv::ops {

// Y (tokens x w.rows, row stride ldy) = X (tokens x w.cols, row stride ldx) W^T.
// `scratch` (64-byte aligned, ActivationScratchBytes(tokens, w.cols)) is unused for f32
// weights.
void MatMul(ThreadPool& pool, const kernels::KernelTable& kt, const quant::QuantKernelTable& qt,
            const float* x, size_t ldx, size_t tokens, const WeightMatrix& w, float* y,
            size_t ldy, void* scratch);

// Makes OpenBLAS run every call on the calling thread (done once per process).
void UseSingleThreadedBlas();

}  // namespace nas::liv::ops
