#include "liv/ops/attention.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "liv/runtime/memory_plan.h"

namespace nas::liv::ops {
namespace {

// Positions [first, last] visible to a query at position q, given what the ring holds.
struct KeyRange {
  uint64_t first;
  uint64_t last;
};

KeyRange VisibleKeys(uint64_t q, uint32_t window, uint64_t oldest_stored) {
  uint64_t first = window > 0 && q + 1 > window ? q + 1 - window : 0;
  return {std::max(first, oldest_stored), q};
}

// One query (decode): scores over visible keys, softmax, weighted sum of values.
void AttendOne(const kernels::KernelTable& kt, const KvCacheView& c, const float* q,
               uint32_t kv_head, KeyRange range, float scale, float* scores, float* out) {
  const size_t hd = c.head_dim;
  const float* kh = c.k + static_cast<size_t>(kv_head) * c.capacity * hd;
  const float* vh = c.v + static_cast<size_t>(kv_head) * c.capacity * hd;
  const size_t n = range.last - range.first + 1;
  for (size_t j = 0; j < n; ++j) {
    const size_t slot = (range.first + j) % c.capacity;
    scores[j] = scale * kt.dot_f32(q, kh + slot * hd, hd);
  }
  kt.softmax_f32(scores, n);
  std::memset(out, 0, hd * sizeof(float));
  for (size_t j = 0; j < n; ++j) {
    const size_t slot = (range.first + j) % c.capacity;
    kt.axpy_f32(scores[j], vh + slot * hd, out, hd);
  }
}

// A block of queries (prefill) against every stored slot, masked per query.
void AttendBlock(const kernels::KernelTable& kt, const KvCacheView& c, const float* q,
                 size_t ldq, size_t rows, uint64_t q_pos0, uint64_t stored_end,
                 uint32_t kv_head, uint32_t window, float scale, float* scores, float* out,
                 size_t ldo) {
  const size_t hd = c.head_dim;
  const float* kh = c.k + static_cast<size_t>(kv_head) * c.capacity * hd;
  const float* vh = c.v + static_cast<size_t>(kv_head) * c.capacity * hd;
  const uint64_t oldest = stored_end > c.capacity ? stored_end - c.capacity : 0;
  const bool linear = stored_end <= c.capacity;  // slot == position
  // With slot == position, later queries only need keys up to their own position.
  const size_t slots =
      linear ? static_cast<size_t>(q_pos0 + rows) : static_cast<size_t>(c.capacity);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
              static_cast<int>(slots), static_cast<int>(hd), scale, q, static_cast<int>(ldq),
              kh, static_cast<int>(hd), 0.0f, scores, static_cast<int>(slots));
  // Slot s holds position s + base_low for s < e and s + base_high otherwise, where
  // e = stored_end % capacity (slot == position while the ring has not wrapped).
  const uint64_t e = stored_end % c.capacity;
  const uint64_t base_low = linear ? 0 : stored_end - e;
  const uint64_t base_high = linear ? 0 : stored_end - e - c.capacity;
  for (size_t r = 0; r < rows; ++r) {
    const KeyRange range = VisibleKeys(q_pos0 + r, window, oldest);
    float* row = scores + r * slots;
    if (linear) {  // visible keys are contiguous: softmax them, zero the rest
      std::fill(row, row + range.first, 0.0f);
      std::fill(row + range.last + 1, row + slots, 0.0f);
      kt.softmax_f32(row + range.first, range.last - range.first + 1);
      continue;
    }
    for (size_t s = 0; s < slots; ++s) {
      const uint64_t p = s + (s < e ? base_low : base_high);
      if (p < range.first || p > range.last) row[s] = -INFINITY;
    }
    kt.softmax_f32(row, slots);
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows),
              static_cast<int>(hd), static_cast<int>(slots), 1.0f, scores,
              static_cast<int>(slots), vh, static_cast<int>(hd), 0.0f, out,
              static_cast<int>(ldo));
}

}  // namespace

void WriteKv(const KvCacheView& c, const float* k, size_t ldk, const float* v, size_t ldv,
             size_t tokens, uint64_t pos0) {
  const size_t hd = c.head_dim;
  for (size_t t = 0; t < tokens; ++t) {
    const size_t slot = (pos0 + t) % c.capacity;
    for (uint32_t h = 0; h < c.kv_heads; ++h) {
      const size_t dst = (static_cast<size_t>(h) * c.capacity + slot) * hd;
      std::memcpy(c.k + dst, k + t * ldk + h * hd, hd * sizeof(float));
      std::memcpy(c.v + dst, v + t * ldv + h * hd, hd * sizeof(float));
    }
  }
}

void Attend(ThreadPool& pool, const kernels::KernelTable& kt, const KvCacheView& c,
            const float* q, size_t ldq, size_t tokens, uint64_t pos0, uint32_t num_heads,
            uint32_t window, float* scratch, size_t scratch_stride, float* out, size_t ldo) {
  const size_t hd = c.head_dim;
  const uint32_t group = num_heads / c.kv_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const uint64_t stored_end = pos0 + tokens;
  const uint64_t oldest = stored_end > c.capacity ? stored_end - c.capacity : 0;
  const size_t block = kAttentionQueryBlock;
  const size_t blocks = (tokens + block - 1) / block;
  const size_t items = static_cast<size_t>(num_heads) * blocks;
  pool.Run([&](int thread) {
    float* scores = scratch + thread * scratch_stride;
    auto [begin, end] = ThreadPool::Slice(items, thread, pool.size());
    for (size_t item = begin; item < end; ++item) {
      const uint32_t h = static_cast<uint32_t>(item / blocks);
      const size_t b = item % blocks;
      const size_t row0 = b * block;
      const size_t rows = std::min(block, tokens - row0);
      const float* qb = q + row0 * ldq + h * hd;
      float* ob = out + row0 * ldo + h * hd;
      if (tokens == 1) {
        AttendOne(kt, c, qb, h / group, VisibleKeys(pos0, window, oldest), scale, scores, ob);
      } else {
        AttendBlock(kt, c, qb, ldq, rows, pos0 + row0, stored_end, h / group, window, scale,
                    scores, ob, ldo);
      }
    }
  });
}

}  // namespace nas::liv::ops
