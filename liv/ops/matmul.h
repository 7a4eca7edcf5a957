// Matrix products with f32 weights: Y = X W^T where W is N x K row-major (one row per
// output feature). One token (decode) runs the kernel table's gemv on each thread's slice
// of rows, so it streams the weights at memory bandwidth; several tokens (prefill) run a
// single-threaded OpenBLAS sgemm on each thread's slice of output columns, so the pool,
// not OpenBLAS's own threads, owns the cores. Results do not depend on the thread count:
// every output element is reduced in the same order whatever the slicing.
#pragma once

#include <cstddef>

#include "liv/kernels/kernels.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv::ops {

// Y (tokens x n, row stride ldy) = X (tokens x k, row stride ldx) W^T.
void MatMul(ThreadPool& pool, const kernels::KernelTable& kt, const float* x, size_t ldx,
            size_t tokens, const float* w, size_t n, size_t k, float* y, size_t ldy);

// Makes OpenBLAS run every call on the calling thread (done once per process).
void UseSingleThreadedBlas();

}  // namespace nas::liv::ops
