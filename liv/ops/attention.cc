#include "liv/ops/attention.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "liv/quant/blocks.h"
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

// Rows of one KV head in a cache of T elements: slot s at HeadRows(...) + s * head_dim.
template <typename T>
T* HeadRows(void* base, const KvCacheView& c, uint32_t kv_head) {
  return static_cast<T*>(base) + static_cast<size_t>(kv_head) * c.capacity * c.head_dim;
}

// The kernel table's dot and axpy for keys and values of each element type.
float Dot(const kernels::KernelTable& kt, const float* q, const float* k, size_t n) {
  return kt.dot_f32(q, k, n);
}
float Dot(const kernels::KernelTable& kt, const float* q, const uint16_t* k, size_t n) {
  return kt.dot_f16(q, k, n);
}
void Axpy(const kernels::KernelTable& kt, float a, const float* v, float* y, size_t n) {
  kt.axpy_f32(a, v, y, n);
}
void Axpy(const kernels::KernelTable& kt, float a, const uint16_t* v, float* y, size_t n) {
  kt.axpy_f16(a, v, y, n);
}

// One query (decode), fused over a cache of T elements: scores over the visible keys,
// softmax, weighted sum of values. Key j of the range lives in the slot after key j - 1's,
// wrapping to slot 0 at the end of the ring.
template <typename T>
void AttendOne(const kernels::KernelTable& kt, const KvCacheView& c, const float* q,
               uint32_t kv_head, KeyRange range, float scale, float* scores, float* out) {
  const size_t hd = c.head_dim;
  const T* kh = HeadRows<T>(c.k, c, kv_head);
  const T* vh = HeadRows<T>(c.v, c, kv_head);
  const size_t n = range.last - range.first + 1;
  const size_t first_slot = range.first % c.capacity;
  for (size_t j = 0, s = first_slot; j < n; ++j, s = s + 1 == c.capacity ? 0 : s + 1) {
    scores[j] = scale * Dot(kt, q, kh + s * hd, hd);
  }
  kt.softmax_f32(scores, n);
  std::memset(out, 0, hd * sizeof(float));
  for (size_t j = 0, s = first_slot; j < n; ++j, s = s + 1 == c.capacity ? 0 : s + 1) {
    Axpy(kt, scores[j], vh + s * hd, out, hd);
  }
}

// Slots a block of queries ending before position q_end attends over, once the cache
// holds positions [.., stored_end): with slot == position (the ring has not wrapped) only
// those up to the last query's position, else the whole ring.
size_t BlockSlots(const KvCacheView& c, uint64_t q_end, uint64_t stored_end) {
  return static_cast<size_t>(stored_end <= c.capacity ? q_end : c.capacity);
}

// The keys and values of one KV head as f32 rows, for the prefill's sgemm: the cache
// itself when it holds f32; else this thread's scratch (room for capacity rows of each),
// converted from fp16 as far as asked. A thread's items run head by head, so consecutive
// items usually share a KV head and each of its rows is converted once.
class F32Rows {
 public:
  F32Rows(const KvCacheView& c, float* scratch)
      : c_(c), k_(scratch), v_(scratch + AlignedFloats(c.capacity * c.head_dim)) {}

  // Rows [0, slots) of K and V of kv_head.
  std::pair<const float*, const float*> Get(uint32_t kv_head, size_t slots) {
    if (c_.type == KvType::kF32) {
      return {HeadRows<float>(c_.k, c_, kv_head), HeadRows<float>(c_.v, c_, kv_head)};
    }
    if (kv_head != head_) {
      head_ = kv_head;
      converted_ = 0;
    }
    if (slots > converted_) {
      const size_t hd = c_.head_dim, begin = converted_ * hd, n = (slots - converted_) * hd;
      quant::DequantizeRowF16(HeadRows<uint16_t>(c_.k, c_, kv_head) + begin, k_ + begin, n);
      quant::DequantizeRowF16(HeadRows<uint16_t>(c_.v, c_, kv_head) + begin, v_ + begin, n);
      converted_ = slots;
    }
    return {k_, v_};
  }

 private:
  const KvCacheView& c_;
  float* k_;
  float* v_;
  uint32_t head_ = UINT32_MAX;  // the KV head whose rows [0, converted_) k_ and v_ hold
  size_t converted_ = 0;
};

// A block of queries (prefill) against the first `slots` slots (f32 rows kh, vh of one KV
// head), masked per query.
void AttendBlock(const kernels::KernelTable& kt, const KvCacheView& c, const float* kh,
                 const float* vh, size_t slots, const float* q, size_t ldq, size_t rows,
                 uint64_t q_pos0, uint64_t stored_end, uint32_t window, float scale,
                 float* scores, float* out, size_t ldo) {
  const size_t hd = c.head_dim;
  const uint64_t oldest = stored_end > c.capacity ? stored_end - c.capacity : 0;
  const bool linear = stored_end <= c.capacity;  // slot == position
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
      const size_t dst = slot * hd;
      const float* k_row = k + t * ldk + h * hd;
      const float* v_row = v + t * ldv + h * hd;
      if (c.type == KvType::kF16) {
        quant::QuantizeRowF16(k_row, HeadRows<uint16_t>(c.k, c, h) + dst, hd);
        quant::QuantizeRowF16(v_row, HeadRows<uint16_t>(c.v, c, h) + dst, hd);
      } else {
        std::memcpy(HeadRows<float>(c.k, c, h) + dst, k_row, hd * sizeof(float));
        std::memcpy(HeadRows<float>(c.v, c, h) + dst, v_row, hd * sizeof(float));
      }
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
  // The thread's scratch: scores, then (prefill over fp16) K and V of one head in f32.
  const size_t kv_offset = AlignedFloats(std::min(tokens, block) * c.capacity);
  pool.Run([&](int thread) {
    float* scores = scratch + thread * scratch_stride;
    F32Rows f32_rows(c, scores + kv_offset);
    auto [begin, end] = ThreadPool::Slice(items, thread, pool.size());
    for (size_t item = begin; item < end; ++item) {
      const uint32_t h = static_cast<uint32_t>(item / blocks);
      const size_t b = item % blocks;
      const size_t row0 = b * block;
      const size_t rows = std::min(block, tokens - row0);
      const float* qb = q + row0 * ldq + h * hd;
      float* ob = out + row0 * ldo + h * hd;
      const uint32_t kv_head = h / group;
      if (tokens == 1) {
        const KeyRange range = VisibleKeys(pos0, window, oldest);
        if (c.type == KvType::kF16) {
          AttendOne<uint16_t>(kt, c, qb, kv_head, range, scale, scores, ob);
        } else {
          AttendOne<float>(kt, c, qb, kv_head, range, scale, scores, ob);
        }
      } else {
        const size_t slots = BlockSlots(c, pos0 + row0 + rows, stored_end);
        const auto [kh, vh] = f32_rows.Get(kv_head, slots);
        AttendBlock(kt, c, kh, vh, slots, qb, ldq, rows, pos0 + row0, stored_end, window,
                    scale, scores, ob, ldo);
      }
    }
  });
}

}  // namespace nas::liv::ops
