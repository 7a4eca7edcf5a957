// The NEON dot-product kernels of interleaved Q4_0 weights (Q4_0x8, interleaved.h) against
// Q8_0 activations; included once by quant_kernels_neon.cc (compiled with +dotprod), inside
// its unnamed namespace rules: everything here has internal linkage.
//
// A 16-byte load of a group block holds bytes 4k..4k+3 of four rows, one row per 32-bit
// lane; SDOT by lane multiplies every lane by the same 4 activations (lane k of the token's
// first 16 bytes for the low nibbles, of its last 16 for the high ones), so 16 SDOTs per
// block leave the eight rows' int32 sums in two vectors, starting from the block's
// NibbleOffset (Q4_0's -8). Nibbles enter unsigned (0..15: valid signed bytes).
// gemm computes tiles of one group by kX8TileTokens tokens over chunks of kTokenChunk.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/interleaved.h"
#include "liv/quant/quant_x8_loops.h"

namespace nas::liv::quant::neon {
namespace {

constexpr int kX8TileTokens = 4;

// Nibbles of one group block: [k][0] rows 0..3, [k][1] rows 4..7.
struct X8Nibbles {
  int8x16_t lo[4][2], hi[4][2];
};

inline X8Nibbles LoadX8(const BlockQ4_0x8& block) {
  X8Nibbles w;
  const uint8x16_t mask = vdupq_n_u8(0x0f);
  for (int k = 0; k < 4; ++k) {
    for (int h = 0; h < 2; ++h) {
      const uint8x16_t q = vld1q_u8(block.qs + 32 * k + 16 * h);
      w.lo[k][h] = vreinterpretq_s8_u8(vandq_u8(q, mask));
      w.hi[k][h] = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
    }
  }
  return w;
}

struct X8Sums {
  int32x4_t rows[2];  // rows 0..3, 4..7
};

template <int K>
inline void X8DotLane(const X8Nibbles& w, int8x16_t a_lo, int8x16_t a_hi, X8Sums& s) {
  for (int h = 0; h < 2; ++h) {
    s.rows[h] = vdotq_laneq_s32(s.rows[h], w.lo[K][h], a_lo, K);
    s.rows[h] = vdotq_laneq_s32(s.rows[h], w.hi[K][h], a_hi, K);
  }
}

// The eight rows' sum_j (n_j - 8) a_j for one activation block.
inline X8Sums X8Dot(const X8Nibbles& w, const int8_t* a, int32_t offset) {
  const int8x16_t a_lo = vld1q_s8(a), a_hi = vld1q_s8(a + 16);
  X8Sums s{{vdupq_n_s32(offset), vdupq_n_s32(offset)}};
  X8DotLane<0>(w, a_lo, a_hi, s);
  X8DotLane<1>(w, a_lo, a_hi, s);
  X8DotLane<2>(w, a_lo, a_hi, s);
  X8DotLane<3>(w, a_lo, a_hi, s);
  return s;
}

void BlockSumsQ4_0x8(const BlockQ4_0x8* w, const BlockQ8_0* a, const int32_t* a_offsets,
                     size_t blocks, int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) {
    const X8Sums s = X8Dot(LoadX8(w[b]), a[b].qs, a_offsets[b]);
    vst1q_s32(sums + kInterleavedRows * b, s.rows[0]);
    vst1q_s32(sums + kInterleavedRows * b + 4, s.rows[1]);
  }
}

// One group against RN tokens of x (token t's blocks at x + t * blocks, offsets likewise)
// into y[t * ldy + r]: the tile of quant_x8_loops.h.
template <int RN>
struct X8Tile {
  static void Run(const BlockQ4_0x8* w, size_t blocks, const BlockQ8_0* x,
                  const int32_t* offsets, float* y, size_t ldy) {
    float32x4_t acc[RN][2];
    for (int t = 0; t < RN; ++t) acc[t][0] = acc[t][1] = vdupq_n_f32(0.0f);
    for (size_t b = 0; b < blocks; ++b) {
      const X8Nibbles q = LoadX8(w[b]);
      const float16x8_t d = vreinterpretq_f16_u16(vld1q_u16(w[b].d));
      const float32x4_t dw[2] = {vcvt_f32_f16(vget_low_f16(d)), vcvt_high_f32_f16(d)};
      for (int t = 0; t < RN; ++t) {
        const BlockQ8_0& a = x[t * blocks + b];
        const X8Sums s = X8Dot(q, a.qs, offsets[t * blocks + b]);
        const float da = Half(a.d);
        for (int h = 0; h < 2; ++h) {
          acc[t][h] = vfmaq_f32(acc[t][h], vcvtq_f32_s32(s.rows[h]), vmulq_n_f32(dw[h], da));
        }
      }
    }
    for (int t = 0; t < RN; ++t) {
      vst1q_f32(y + t * ldy, acc[t][0]);
      vst1q_f32(y + t * ldy + 4, acc[t][1]);
    }
  }
};

}  // namespace
}  // namespace nas::liv::quant::neon
