// The "neon-i8mm" quantized kernels: the "neon-dotprod" table with the prefill product of
// interleaved Q4_0 (gemm_q4_0x8, the deployment type's prefill) done by the ARMv8.6 int8
// matrix multiply SMMLA (vmmlaq_s32: a 2x8 by 8x2 int8 product into a 2x2 int32 tile, 32
// multiply-adds per instruction where SDOT does 16). This file alone is compiled with
// -march=armv8.2-a+dotprod+i8mm; supported() asks AT_HWCAP2 for I8MM (and ASIMDDP).
//
// Two 16-byte lane vectors of a group block (bytes 4k..4k+3 and 4k+4..4k+7 of four rows,
// one row per 32-bit lane) zipped by 32-bit lanes give bytes 8m..8m+7 of two rows back to
// back: the 2x8 weight operand (low nibbles: weights 8m..8m+7, high: 16+8m..), against two
// tokens' 8 activations. Each int32 tile [r0t0 r0t1 r1t0 r1t1] starts from the tokens'
// NibbleOffsets (Q4_0's -8), then is converted and scaled by [d_r0 d_a0, d_r0 d_a1, ...].
// Tiles: one group (8 rows) by 4 tokens; a last odd token is paired with itself.
// Verified under qemu-aarch64 (tests/liv/quant), not yet tuned on ARM hardware.

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/interleaved.h"
#include "liv/quant/quant_kernels.h"
#include "liv/quant/quant_variants.h"

namespace nas::liv::quant {
namespace neon_i8mm {
namespace {

constexpr size_t kTokenChunk = 64;

float Half(uint16_t h) {
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

// One half (rows 4h..4h+3) of a group block as SMMLA operands: w[p][c] for row pair p
// (rows 4h+2p, 4h+2p+1) and activation chunk c (weights 8c..8c+7; c = 2, 3 the high
// nibbles).
struct HalfOperands {
  int8x16_t w[2][4];
};

HalfOperands LoadHalf(const BlockQ4_0x8& block, int h) {
  const uint8x16_t mask = vdupq_n_u8(0x0f);
  HalfOperands o;
  for (int m = 0; m < 2; ++m) {
    const uint32x4_t a = vreinterpretq_u32_u8(vld1q_u8(block.qs + 32 * (2 * m) + 16 * h));
    const uint32x4_t b = vreinterpretq_u32_u8(vld1q_u8(block.qs + 32 * (2 * m + 1) + 16 * h));
    const uint8x16_t pairs[2] = {vreinterpretq_u8_u32(vzip1q_u32(a, b)),
                                 vreinterpretq_u8_u32(vzip2q_u32(a, b))};
    for (int p = 0; p < 2; ++p) {
      o.w[p][m] = vreinterpretq_s8_u8(vandq_u8(pairs[p], mask));
      o.w[p][2 + m] = vreinterpretq_s8_u8(vshrq_n_u8(pairs[p], 4));
    }
  }
  return o;
}

// Group at w against token pairs: pair j = tokens (t[2j], t[2j+1]) of x (token t's blocks
// at x + t * blocks). TP pairs; results of rows r < 8 for token t at y[t * ldy + r], except
// that a pair whose second token repeats the first (odd count) stores the first only.
template <int TP>
void Tile(const BlockQ4_0x8* w, size_t blocks, const BlockQ8_0* x, const int32_t* offsets,
          const size_t (&t)[2 * TP], bool last_single, float* y, size_t ldy) {
  float32x4_t acc[2][2][TP];  // [half][row pair][token pair]
  for (auto& half : acc) {
    for (auto& pair : half) {
      for (auto& a : pair) a = vdupq_n_f32(0.0f);
    }
  }
  for (size_t b = 0; b < blocks; ++b) {
    int8x16_t act[TP][4];
    int32x4_t start[TP];
    float32x4_t da[TP];
    for (int j = 0; j < TP; ++j) {
      const BlockQ8_0& a0 = x[t[2 * j] * blocks + b];
      const BlockQ8_0& a1 = x[t[2 * j + 1] * blocks + b];
      for (int c = 0; c < 4; ++c) act[j][c] = vcombine_s8(vld1_s8(a0.qs + 8 * c), vld1_s8(a1.qs + 8 * c));
      const int32x2_t o = {offsets[t[2 * j] * blocks + b], offsets[t[2 * j + 1] * blocks + b]};
      start[j] = vcombine_s32(o, o);
      const float32x2_t d = {Half(a0.d), Half(a1.d)};
      da[j] = vcombine_f32(d, d);
    }
    const float16x8_t dh = vreinterpretq_f16_u16(vld1q_u16(w[b].d));
    const float32x4_t dw[2] = {vcvt_f32_f16(vget_low_f16(dh)), vcvt_high_f32_f16(dh)};
    for (int h = 0; h < 2; ++h) {
      const HalfOperands q = LoadHalf(w[b], h);
      // [d_r0 d_r0 d_r1 d_r1] for the two row pairs of the half.
      const float32x4_t dpair[2] = {vzip1q_f32(dw[h], dw[h]), vzip2q_f32(dw[h], dw[h])};
      for (int p = 0; p < 2; ++p) {
        for (int j = 0; j < TP; ++j) {
          int32x4_t s = start[j];
          for (int c = 0; c < 4; ++c) s = vmmlaq_s32(s, q.w[p][c], act[j][c]);
          acc[h][p][j] = vfmaq_f32(acc[h][p][j], vcvtq_f32_s32(s), vmulq_f32(dpair[p], da[j]));
        }
      }
    }
  }
  for (int h = 0; h < 2; ++h) {
    for (int p = 0; p < 2; ++p) {
      for (int j = 0; j < TP; ++j) {
        const size_t r = 4 * h + 2 * p;
        float lanes[4];
        vst1q_f32(lanes, acc[h][p][j]);  // [r t0, r t1, r+1 t0, r+1 t1]
        float* y0 = y + t[2 * j] * ldy + r;
        y0[0] = lanes[0];
        y0[1] = lanes[2];
        if (j == TP - 1 && last_single) continue;
        float* y1 = y + t[2 * j + 1] * ldy + r;
        y1[0] = lanes[1];
        y1[1] = lanes[3];
      }
    }
  }
}

void GemmQ4_0x8(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                const int32_t* x_offsets, size_t tokens, float* y, size_t ldy) {
  if (tokens == 1) {
    kNeonDotprodQuant.gemv_q4_0x8(w, groups, blocks, x, x_offsets, y);
    return;
  }
  for (size_t t0 = 0; t0 < tokens; t0 += kTokenChunk) {
    const size_t n = tokens - t0 < kTokenChunk ? tokens - t0 : kTokenChunk;
    for (size_t g = 0; g < groups; ++g) {
      const BlockQ4_0x8* wg = w + g * blocks;
      float* yg = y + g * kInterleavedRows;
      size_t t = t0;
      for (; t + 4 <= t0 + n; t += 4) {
        const size_t ts[4] = {t, t + 1, t + 2, t + 3};
        Tile<2>(wg, blocks, x, x_offsets, ts, false, yg, ldy);
      }
      for (; t < t0 + n; t += 2) {
        const bool single = t + 1 == t0 + n;
        const size_t ts[2] = {t, single ? t : t + 1};
        Tile<1>(wg, blocks, x, x_offsets, ts, single, yg, ldy);
      }
    }
  }
}

// The dot-product table with the i8mm entries in place. kNeonDotprodQuant is constant-
// initialized (addresses only), so reading it here during dynamic initialization is safe.
QuantKernelTable MakeTable() {
  QuantKernelTable table = kNeonDotprodQuant;
  table.name = "neon-i8mm";
  table.supported = CpuHasNeonI8mm;
  table.gemm_q4_0x8 = GemmQ4_0x8;
  return table;
}

}  // namespace
}  // namespace neon_i8mm

const QuantKernelTable kNeonI8mmQuant = neon_i8mm::MakeTable();

}  // namespace nas::liv::quant
