// Causal grouped-query attention over a K/V cache. The cache of one layer is a ring of
// `capacity` positions per KV head, laid out [kv_head][slot][head_dim]; position p lives in
// slot p % capacity (a full-attention cache has capacity = max context, so slot = p).
// A query at position q sees the keys at positions [q - window + 1, q] (window 0 = [0, q]).
// The cache holds f32 or fp16 elements (KvType; WriteKv rounds to nearest even).
// Decode (one query) is fused: scores of the visible keys straight from the cache (the
// kernel table's dot_f32 / dot_f16), softmax, and the weighted sum of values (axpy_f32 /
// axpy_f16), reading each key and value once and converting nothing in bulk. Prefill
// computes scores and weighted sums per (head, block of queries) with single-threaded
// sgemm; over an fp16 cache each thread first converts the keys and values of the KV head
// it works on (as far as its queries need) into f32 scratch, once per run of items on the
// same KV head. Work is split over heads and query blocks, so results do not depend on the
// thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/kernels/kernels.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv::ops {

struct KvCacheView {
  void* k = nullptr;  // float or uint16_t (fp16) elements, as `type` says
  void* v = nullptr;
  uint64_t capacity = 0;  // positions per KV head
  uint32_t kv_heads = 0;
  uint32_t head_dim = 0;
  KvType type = KvType::kF32;
};

// Stores the K and V rows (kv_heads * head_dim floats each, row strides ldk / ldv) of
// `tokens` tokens at positions [pos0, pos0 + tokens). tokens must not exceed capacity.
void WriteKv(const KvCacheView& cache, const float* k, size_t ldk, const float* v, size_t ldv,
             size_t tokens, uint64_t pos0);

// out (tokens x num_heads*head_dim, stride ldo) = attention of the queries q (same shape,
// stride ldq; already normed and rotated) at positions [pos0, pos0 + tokens) over the
// cache, which must already hold those tokens' K/V. scratch: per thread,
// AttentionScratchFloats(tokens, capacity, head_dim, type) floats (memory_plan.h) at
// scratch + thread * scratch_stride.
void Attend(ThreadPool& pool, const kernels::KernelTable& kt, const KvCacheView& cache,
            const float* q, size_t ldq, size_t tokens, uint64_t pos0, uint32_t num_heads,
            uint32_t window, float* scratch, size_t scratch_stride, float* out, size_t ldo);

}  // namespace nas::liv::ops
