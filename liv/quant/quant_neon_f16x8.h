// The NEON kernels of interleaved F16 weights (F16x8, interleaved.h) against f32
// activations; included once by quant_kernels_neon.cc after its helpers, everything with
// internal linkage. A chunk of 8 columns is 8 rows x 16 contiguous bytes: each row's 8
// halves are converted (vcvt_f32_f16, vcvt_high_f32_f16) and multiplied into 4-lane f32
// accumulators, one per row and token, reduced at the end. Tiles: one group by
// kF16x8TileTokens tokens (quant_x8_loops.h).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/interleaved.h"

namespace nas::liv::quant::neon {
namespace {

constexpr int kF16x8TileTokens = 2;  // 16 accumulators of 32 registers

template <int RN>
struct F16x8Tile {
  static void Run(const uint16_t* w, size_t cols, const float* x, size_t ldx, float* y,
                  size_t ldy) {
    float32x4_t acc[kInterleavedRows][RN];
    for (auto& row : acc) {
      for (float32x4_t& a : row) a = vdupq_n_f32(0.0f);
    }
    for (size_t c = 0; c < cols / kF16Chunk; ++c) {
      const uint16_t* chunk = w + c * kInterleavedRows * kF16Chunk;
      float32x4_t lo[RN], hi[RN];
      for (int t = 0; t < RN; ++t) {
        lo[t] = vld1q_f32(x + t * ldx + c * kF16Chunk);
        hi[t] = vld1q_f32(x + t * ldx + c * kF16Chunk + 4);
      }
      for (size_t r = 0; r < kInterleavedRows; ++r) {
        const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(chunk + r * kF16Chunk));
        const float32x4_t w_lo = vcvt_f32_f16(vget_low_f16(h)), w_hi = vcvt_high_f32_f16(h);
        for (int t = 0; t < RN; ++t) {
          acc[r][t] = vfmaq_f32(vfmaq_f32(acc[r][t], w_lo, lo[t]), w_hi, hi[t]);
        }
      }
    }
    for (int t = 0; t < RN; ++t) {
      for (size_t r = 0; r < kInterleavedRows; ++r) y[t * ldy + r] = vaddvq_f32(acc[r][t]);
    }
  }
};

}  // namespace
}  // namespace nas::liv::quant::neon
