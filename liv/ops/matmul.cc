#include "liv/ops/matmul.h"

#include <cblas.h>

#include <mutex>

#include "liv/quant/interleaved.h"

namespace nas::liv::ops {
namespace {

constexpr size_t kGemvRowGrain = 16;
constexpr size_t kGemvChunkRows = 64;  // decode's unit of balancing (RunBalanced)
constexpr size_t kGemmColumnGrain = 64;

void MatMulF32(ThreadPool& pool, const kernels::KernelTable& kt, const float* x, size_t ldx,
               size_t tokens, const float* w, size_t n, size_t k, float* y, size_t ldy) {
  if (tokens == 1) {
    pool.Run([&](int thread) {
      auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kGemvRowGrain);
      if (begin < end) kt.gemv_f32(w + begin * k, k, end - begin, k, x, y + begin);
    });
    return;
  }
  UseSingleThreadedBlas();
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kGemmColumnGrain);
    if (begin >= end) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(tokens),
                static_cast<int>(end - begin), static_cast<int>(k), 1.0f, x,
                static_cast<int>(ldx), w + begin * k, static_cast<int>(k), 0.0f, y + begin,
                static_cast<int>(ldy));
  });
}

// Where QuantizeActivations leaves the NibbleOffsets of `tokens` rows of `blocks` Q8_0
// blocks (ActivationScratchBytes).
int32_t* NibbleOffsetsIn(void* scratch, size_t tokens, size_t blocks) {
  return reinterpret_cast<int32_t*>(static_cast<uint8_t*>(scratch) +
                                    Aligned64(tokens * blocks * sizeof(quant::BlockQ8_0)));
}

// Quantizes the token rows of X into `scratch`: Q8_0 blocks (and their NibbleOffsets for
// interleaved Q4_0 weights), or int8 values followed by one float scale per token (8da4w).
void QuantizeActivations(ThreadPool& pool, const quant::QuantKernelTable& qt,
                         const WeightMatrix& w, const float* x, size_t ldx, size_t tokens,
                         size_t k, void* scratch) {
  const WeightType type = w.type;
  const size_t blocks = k / quant::kBlockSize;
  auto rows = [&](auto&& fn) {
    if (tokens == 1) {
      fn(size_t{0});
      return;
    }
    pool.Run([&](int thread) {
      auto [begin, end] = ThreadPool::Slice(tokens, thread, pool.size());
      for (size_t t = begin; t < end; ++t) fn(t);
    });
  };
  if (type == WeightType::kI4G32) {
    auto* q = static_cast<int8_t*>(scratch);
    auto* scales = reinterpret_cast<float*>(q + ((tokens * k + 63) / 64) * 64);
    rows([&](size_t t) { scales[t] = qt.quantize_row_i8(x + t * ldx, q + t * k, k); });
  } else {
    auto* q = static_cast<quant::BlockQ8_0*>(scratch);
    int32_t* offsets = w.interleaved ? NibbleOffsetsIn(scratch, tokens, blocks) : nullptr;
    rows([&](size_t t) {
      qt.quantize_row_q8_0(x + t * ldx, q + t * blocks, k);
      if (offsets != nullptr) quant::NibbleOffsets(q + t * blocks, blocks, offsets + t * blocks);
    });
  }
}

}  // namespace

void UseSingleThreadedBlas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

void MatMul(ThreadPool& pool, const kernels::KernelTable& kt, const quant::QuantKernelTable& qt,
            const float* x, size_t ldx, size_t tokens, const WeightMatrix& w, float* y,
            size_t ldy, void* scratch) {
  const size_t n = w.rows, k = w.cols;
  if (tokens == 0 || n == 0) return;
  if (w.type == WeightType::kF32) {
    MatMulF32(pool, kt, x, ldx, tokens, w.f32(), n, k, y, ldy);
    return;
  }
  if (w.type != WeightType::kF16) {
    QuantizeActivations(pool, qt, w, x, ldx, tokens, k, scratch);
  }
  const size_t blocks = k / quant::kBlockSize;
  // Output rows [begin, end), begin and end multiples of 16 (or end = n).
  auto multiply_rows = [&](size_t begin, size_t end) {
    const size_t rows = end - begin;
    float* out = y + begin;
    switch (w.type) {
      case WeightType::kF16: {
        if (w.interleaved) {  // begin and end are multiples of 8, as for Q4_0 below
          const auto* wg = static_cast<const uint16_t*>(w.data) + begin * k;
          const size_t groups = rows / quant::kInterleavedRows;
          if (tokens == 1) {
            qt.gemv_f16x8(wg, groups, k, x, out);
          } else {
            qt.gemm_f16x8(wg, groups, k, x, ldx, tokens, out, ldy);
          }
          break;
        }
        const auto* wr = static_cast<const uint16_t*>(w.data) + begin * k;
        if (tokens == 1) {
          qt.gemv_f16(wr, k, rows, k, x, out);
        } else {
          qt.gemm_f16(wr, k, rows, k, x, ldx, tokens, out, ldy);
        }
        break;
      }
      case WeightType::kQ8_0: {
        const auto* wr = static_cast<const quant::BlockQ8_0*>(w.data) + begin * blocks;
        const auto* a = static_cast<const quant::BlockQ8_0*>(scratch);
        if (tokens == 1) {
          qt.gemv_q8_0(wr, rows, blocks, a, out);
        } else {
          qt.gemm_q8_0(wr, rows, blocks, a, tokens, out, ldy);
        }
        break;
      }
      case WeightType::kQ4_0: {
        const auto* a = static_cast<const quant::BlockQ8_0*>(scratch);
        if (w.interleaved) {  // begin and end are multiples of 8 (grain 16, rows % 8 == 0)
          const auto* wg = static_cast<const quant::BlockQ4_0x8*>(w.data) +
                           begin / quant::kInterleavedRows * blocks;
          const size_t groups = rows / quant::kInterleavedRows;
          const int32_t* offsets = NibbleOffsetsIn(scratch, tokens, blocks);
          if (tokens == 1) {
            qt.gemv_q4_0x8(wg, groups, blocks, a, offsets, out);
          } else {
            qt.gemm_q4_0x8(wg, groups, blocks, a, offsets, tokens, out, ldy);
          }
          break;
        }
        const auto* wr = static_cast<const quant::BlockQ4_0*>(w.data) + begin * blocks;
        if (tokens == 1) {
          qt.gemv_q4_0(wr, rows, blocks, a, out);
        } else {
          qt.gemm_q4_0(wr, rows, blocks, a, tokens, out, ldy);
        }
        break;
      }
      case WeightType::kI4G32: {
        const auto* wr = static_cast<const quant::BlockI4G32*>(w.data) + begin * blocks;
        const auto* a = static_cast<const int8_t*>(scratch);
        const auto* scales = reinterpret_cast<const float*>(a + ((tokens * k + 63) / 64) * 64);
        if (tokens == 1) {
          qt.gemv_i4g32(wr, rows, blocks, a, scales[0], out);
        } else {
          qt.gemm_i4g32(wr, rows, blocks, a, scales, tokens, out, ldy);
        }
        break;
      }
      case WeightType::kF32:
        break;
    }
  };
  if (tokens == 1) {
    RunBalanced(pool, n, kGemvRowGrain, kGemvChunkRows, multiply_rows);
    return;
  }
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kGemmColumnGrain);
    if (begin < end) multiply_rows(begin, end);
  });
}

}  // namespace nas::liv::ops
