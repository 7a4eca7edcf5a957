// The "neon-dotprod" quantized kernels: ARM64 NEON with the dot-product extension (SDOT,
// ARMv8.2-A; this file alone is compiled with -march=armv8.2-a+dotprod and the table's
// supported() asks AT_HWCAP for ASIMDDP). A block of 32 int8 pairs is two vdotq_s32 into 4
// exact int32 lanes, converted, scaled by d_w * d_a and accumulated in 4 f32 lanes. Nibble
// weights are unpacked to signed -8..7 first, so every format is one signed dot product.
// Rounding: vcvtaq_s32_f32 rounds to nearest with ties away from zero, as std::round.
// gemv walks 8 rows at a time, prefetching rows 8 KB or more ahead (as quant_x86_int8.h);
// gemm computes tiles of 4 rows x 4 tokens (32 vector registers) over chunks of 64 tokens.
// Verified under qemu-aarch64 (tests/liv/quant), not yet tuned on ARM hardware.
//
// Compiled with extension flags, this file must not instantiate inline functions or
// templates with external linkage (std::min, ...): everything is in an unnamed namespace.

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"
#include "liv/quant/quant_variants.h"

namespace nas::liv::quant {
namespace neon {
namespace {

constexpr int kTileRows = 4;
constexpr int kTileTokens = 4;
constexpr int kGemvRows = 8;
constexpr size_t kGemvPrefetchBytes = 8192;
constexpr size_t kTokenChunk = 64;
constexpr size_t kTokenChunkF16 = 16;

float Half(uint16_t h) {
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

uint16_t ToHalf(float x) {
  return vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(x))), 0);
}

// Lanes [0, n) of p (n < 4), the rest 0.
float32x4_t LoadFloats(const float* p, size_t n) {
  float buffer[4] = {};
  for (size_t i = 0; i < n; ++i) buffer[i] = p[i];
  return vld1q_f32(buffer);
}

// ---- activation quantization (byte-identical to blocks.h's reference) ----------------------

// 4 x 4 int32 (each within int8) to 16 int8, in order.
int8x16_t Narrow(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  const int16x8_t ab = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
  const int16x8_t cd = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
  return vcombine_s8(vqmovn_s16(ab), vqmovn_s16(cd));
}

void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, x += kBlockSize) {
    float32x4_t v[8];
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int i = 0; i < 8; ++i) {
      v[i] = vld1q_f32(x + 4 * i);
      m = vmaxq_f32(m, vabsq_f32(v[i]));
    }
    const float d = vmaxvq_f32(m) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = ToHalf(d);
    int32x4_t q[8];
    for (int i = 0; i < 8; ++i) q[i] = vcvtaq_s32_f32(vmulq_n_f32(v[i], id));
    vst1q_s8(y[b].qs, Narrow(q[0], q[1], q[2], q[3]));
    vst1q_s8(y[b].qs + 16, Narrow(q[4], q[5], q[6], q[7]));
  }
}

float QuantizeRowI8(const float* x, int8_t* y, size_t n) {
  float32x4_t m = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + i)));
  if (i < n) m = vmaxq_f32(m, vabsq_f32(LoadFloats(x + i, n - i)));
  const float s = vmaxvq_f32(m) / 127.0f;
  if (s == 0.0f) {
    for (i = 0; i < n; ++i) y[i] = 0;
    return s;
  }
  const float32x4_t sv = vdupq_n_f32(s);
  auto q = [&](const float* p) { return vcvtaq_s32_f32(vdivq_f32(vld1q_f32(p), sv)); };
  for (i = 0; i + 16 <= n; i += 16) {
    vst1q_s8(y + i, Narrow(q(x + i), q(x + i + 4), q(x + i + 8), q(x + i + 12)));
  }
  if (i < n) {
    float tail[16] = {};
    int8_t out[16];
    for (size_t j = i; j < n; ++j) tail[j - i] = x[j];
    vst1q_s8(out, Narrow(q(tail), q(tail + 4), q(tail + 8), q(tail + 12)));
    for (size_t j = i; j < n; ++j) y[j] = out[j - i];
  }
  return s;
}

// ---- int8 block dot products -----------------------------------------------------------------

// 32 signed values of a block, in order.
struct Int8x32 {
  int8x16_t lo, hi;
};

Int8x32 Load32(const int8_t* p) { return {vld1q_s8(p), vld1q_s8(p + 16)}; }

// Nibble weights (Q4_0, I4G32) as signed values: low nibbles are weights 0..15, high 16..31.
Int8x32 Nibbles(const uint8_t* qs) {
  const uint8x16_t v = vld1q_u8(qs);
  const int8x16_t eight = vdupq_n_s8(8);
  return {vsubq_s8(vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0f))), eight),
          vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(v, 4)), eight)};
}

int32x4_t Dot(const Int8x32& w, const Int8x32& a) {
  return vdotq_s32(vdotq_s32(vdupq_n_s32(0), w.lo, a.lo), w.hi, a.hi);
}

struct Q8_0Format {
  using Weight = BlockQ8_0;
  using Act = BlockQ8_0;
  static constexpr size_t kActPerBlock = 1;  // Act elements per block of 32 values
  static constexpr bool kBlockScales = true;
  static Int8x32 W(const Weight& b) { return Load32(b.qs); }
  static Int8x32 A(const Act* a) { return Load32(a->qs); }
  static float Scale(const Act* a) { return Half(a->d); }
};

struct Q4_0Format {
  using Weight = BlockQ4_0;
  using Act = BlockQ8_0;
  static constexpr size_t kActPerBlock = 1;
  static constexpr bool kBlockScales = true;
  static Int8x32 W(const Weight& b) { return Nibbles(b.qs); }
  static Int8x32 A(const Act* a) { return Load32(a->qs); }
  static float Scale(const Act* a) { return Half(a->d); }
};

// Per-token int8 activations: no block scale; token t's results are times scales[t].
struct I4G32Format {
  using Weight = BlockI4G32;
  using Act = int8_t;
  static constexpr size_t kActPerBlock = kBlockSize;
  static constexpr bool kBlockScales = false;
  static Int8x32 W(const Weight& b) { return Nibbles(b.qs); }
  static Int8x32 A(const Act* a) { return Load32(a); }
  static float Scale(const Act*) { return 1.0f; }
};

template <class F>
void BlockSums(const typename F::Weight* w, const typename F::Act* a, size_t blocks,
               int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) {
    sums[b] = vaddvq_s32(Dot(F::W(w[b]), F::A(a + b * F::kActPerBlock)));
  }
}

// ---- tiles --------------------------------------------------------------------------------------

template <bool kScaled, int RM, int RN>
void StoreTile(float32x4_t (&acc)[RM][RN], const float* scales, float* y, size_t ldy) {
  for (int t = 0; t < RN; ++t) {
    for (int r = 0; r < RM; ++r) {
      const float sum = vaddvq_f32(acc[r][t]);
      y[t * ldy + r] = kScaled ? sum * scales[t] : sum;
    }
  }
}

// Rows [0, RM) of w times tokens [0, RN) of x into y[t * ldy + r] (as the x86 Tile).
template <class F, int RM, int RN>
void Tile(const typename F::Weight* w, size_t blocks, const typename F::Act* x, const float* scales,
          float* y, size_t ldy, const typename F::Weight* prefetch) {
  float32x4_t acc[RM][RN];
  for (int r = 0; r < RM; ++r) {
    for (int t = 0; t < RN; ++t) acc[r][t] = vdupq_n_f32(0.0f);
  }
  for (size_t b = 0; b < blocks; ++b) {
    Int8x32 a[RN];
    float da[RN];
    for (int t = 0; t < RN; ++t) {
      const typename F::Act* at = x + (t * blocks + b) * F::kActPerBlock;
      a[t] = F::A(at);
      da[t] = F::Scale(at);
    }
    for (int r = 0; r < RM; ++r) {
      const typename F::Weight& wb = w[r * blocks + b];
      // Every cache line of the rows ahead: each 34-byte block, every other 18-byte one.
      if (prefetch != nullptr && b % (sizeof(typename F::Weight) > 32 ? 1 : 2) == 0) {
        __builtin_prefetch(prefetch + r * blocks + b, 0, 2);
      }
      const Int8x32 q = F::W(wb);
      const float dw = Half(wb.d);
      for (int t = 0; t < RN; ++t) {
        const float s = F::kBlockScales ? dw * da[t] : dw;
        acc[r][t] = vfmaq_n_f32(acc[r][t], vcvtq_f32_s32(Dot(q, a[t])), s);
      }
    }
  }
  StoreTile<!F::kBlockScales>(acc, scales, y, ldy);
}

template <class F>
void Gemv(const typename F::Weight* w, size_t rows, size_t blocks, const typename F::Act* x,
          const float* scale, float* y) {
  // Prefetch whole groups of rows ahead, at least kGemvPrefetchBytes (as the x86 gemv).
  const size_t group_bytes = kGemvRows * blocks * sizeof(typename F::Weight);
  const size_t ahead = kGemvRows * ((kGemvPrefetchBytes + group_bytes - 1) / group_bytes);
  size_t r = 0;
  for (; r + kGemvRows <= rows; r += kGemvRows) {
    const typename F::Weight* group = w + r * blocks;
    const typename F::Weight* next =
        r + ahead + kGemvRows <= rows ? group + ahead * blocks : nullptr;
    Tile<F, kGemvRows, 1>(group, blocks, x, scale, y + r, 0, next);
  }
  if (r + 4 <= rows) {
    Tile<F, 4, 1>(w + r * blocks, blocks, x, scale, y + r, 0, nullptr);
    r += 4;
  }
  for (; r < rows; ++r) Tile<F, 1, 1>(w + r * blocks, blocks, x, scale, y + r, 0, nullptr);
}

template <class F, int RM, int RN>
void TokenRemainder(size_t n, const typename F::Weight* w, size_t blocks, const typename F::Act* x,
                    const float* scales, float* y, size_t ldy) {
  if constexpr (RN > 0) {
    if (n == RN) {
      Tile<F, RM, RN>(w, blocks, x, scales, y, ldy, nullptr);
    } else {
      TokenRemainder<F, RM, RN - 1>(n, w, blocks, x, scales, y, ldy);
    }
  }
}

const float* At(const float* scales, size_t t) { return scales == nullptr ? nullptr : scales + t; }

template <class F, int RM>
void RowTile(const typename F::Weight* w, size_t blocks, const typename F::Act* x,
             const float* scales, size_t tokens, float* y, size_t ldy) {
  const size_t token_stride = blocks * F::kActPerBlock;
  size_t t = 0;
  for (; t + kTileTokens <= tokens; t += kTileTokens) {
    Tile<F, RM, kTileTokens>(w, blocks, x + t * token_stride, At(scales, t), y + t * ldy, ldy,
                             nullptr);
  }
  TokenRemainder<F, RM, kTileTokens - 1>(tokens - t, w, blocks, x + t * token_stride, At(scales, t),
                                         y + t * ldy, ldy);
}

template <class F>
void Gemm(const typename F::Weight* w, size_t rows, size_t blocks, const typename F::Act* x,
          const float* scales, size_t tokens, float* y, size_t ldy) {
  if (tokens == 1) {
    Gemv<F>(w, rows, blocks, x, scales, y);
    return;
  }
  for (size_t t0 = 0; t0 < tokens; t0 += kTokenChunk) {
    const size_t n = tokens - t0 < kTokenChunk ? tokens - t0 : kTokenChunk;
    const typename F::Act* xt = x + t0 * blocks * F::kActPerBlock;
    float* yt = y + t0 * ldy;
    size_t r = 0;
    for (; r + kTileRows <= rows; r += kTileRows) {
      RowTile<F, kTileRows>(w + r * blocks, blocks, xt, At(scales, t0), n, yt + r, ldy);
    }
    for (; r < rows; ++r) {
      RowTile<F, 1>(w + r * blocks, blocks, xt, At(scales, t0), n, yt + r, ldy);
    }
  }
}

// ---- F16 weights, f32 activations ----------------------------------------------------------

template <int RM, int RN>
void TileF16(const uint16_t* w, size_t ldw, size_t cols, const float* x, size_t ldx, float* y,
             size_t ldy) {
  float32x4_t acc[RM][RN];
  for (int r = 0; r < RM; ++r) {
    for (int t = 0; t < RN; ++t) acc[r][t] = vdupq_n_f32(0.0f);
  }
  size_t k = 0;
  for (; k + 8 <= cols; k += 8) {
    float32x4_t x0[RN], x1[RN];
    for (int t = 0; t < RN; ++t) {
      x0[t] = vld1q_f32(x + t * ldx + k);
      x1[t] = vld1q_f32(x + t * ldx + k + 4);
    }
    for (int r = 0; r < RM; ++r) {
      const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(w + r * ldw + k));
      const float32x4_t w0 = vcvt_f32_f16(vget_low_f16(h));
      const float32x4_t w1 = vcvt_high_f32_f16(h);
      for (int t = 0; t < RN; ++t) {
        acc[r][t] = vfmaq_f32(vfmaq_f32(acc[r][t], w0, x0[t]), w1, x1[t]);
      }
    }
  }
  for (; k < cols; k += 4) {
    const size_t n = cols - k < 4 ? cols - k : 4;
    float32x4_t xv[RN];
    for (int t = 0; t < RN; ++t) xv[t] = LoadFloats(x + t * ldx + k, n);
    for (int r = 0; r < RM; ++r) {
      uint16_t buffer[4] = {};
      for (size_t i = 0; i < n; ++i) buffer[i] = w[r * ldw + k + i];
      const float32x4_t wv = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(buffer)));
      for (int t = 0; t < RN; ++t) acc[r][t] = vfmaq_f32(acc[r][t], wv, xv[t]);
    }
  }
  StoreTile<false>(acc, nullptr, y, ldy);
}

void GemvF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x, float* y) {
  size_t r = 0;
  for (; r + kGemvRows <= rows; r += kGemvRows) {
    TileF16<kGemvRows, 1>(w + r * ldw, ldw, cols, x, 0, y + r, 0);
  }
  if (r + 4 <= rows) {
    TileF16<4, 1>(w + r * ldw, ldw, cols, x, 0, y + r, 0);
    r += 4;
  }
  for (; r < rows; ++r) TileF16<1, 1>(w + r * ldw, ldw, cols, x, 0, y + r, 0);
}

template <int RM, int RN>
void TokenRemainderF16(size_t n, const uint16_t* w, size_t ldw, size_t cols, const float* x,
                       size_t ldx, float* y, size_t ldy) {
  if constexpr (RN > 0) {
    if (n == RN) {
      TileF16<RM, RN>(w, ldw, cols, x, ldx, y, ldy);
    } else {
      TokenRemainderF16<RM, RN - 1>(n, w, ldw, cols, x, ldx, y, ldy);
    }
  }
}

template <int RM>
void RowTileF16(const uint16_t* w, size_t ldw, size_t cols, const float* x, size_t ldx,
                size_t tokens, float* y, size_t ldy) {
  size_t t = 0;
  for (; t + kTileTokens <= tokens; t += kTileTokens) {
    TileF16<RM, kTileTokens>(w, ldw, cols, x + t * ldx, ldx, y + t * ldy, ldy);
  }
  TokenRemainderF16<RM, kTileTokens - 1>(tokens - t, w, ldw, cols, x + t * ldx, ldx, y + t * ldy,
                                         ldy);
}

void GemmF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x, size_t ldx,
             size_t tokens, float* y, size_t ldy) {
  if (tokens == 1) {
    GemvF16(w, ldw, rows, cols, x, y);
    return;
  }
  for (size_t t0 = 0; t0 < tokens; t0 += kTokenChunkF16) {
    const size_t n = tokens - t0 < kTokenChunkF16 ? tokens - t0 : kTokenChunkF16;
    size_t r = 0;
    for (; r + kTileRows <= rows; r += kTileRows) {
      RowTileF16<kTileRows>(w + r * ldw, ldw, cols, x + t0 * ldx, ldx, n, y + t0 * ldy + r, ldy);
    }
    for (; r < rows; ++r) {
      RowTileF16<1>(w + r * ldw, ldw, cols, x + t0 * ldx, ldx, n, y + t0 * ldy + r, ldy);
    }
  }
}

// ---- the table ---------------------------------------------------------------------------------

void BlockSumsQ8_0(const BlockQ8_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums) {
  BlockSums<Q8_0Format>(w, a, blocks, sums);
}
void BlockSumsQ4_0(const BlockQ4_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums) {
  BlockSums<Q4_0Format>(w, a, blocks, sums);
}
void BlockSumsI4G32(const BlockI4G32* w, const int8_t* a, size_t blocks, int32_t* sums) {
  BlockSums<I4G32Format>(w, a, blocks, sums);
}

void GemvQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y) {
  Gemv<Q8_0Format>(w, rows, blocks, x, nullptr, y);
}
void GemvQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y) {
  Gemv<Q4_0Format>(w, rows, blocks, x, nullptr, y);
}
void GemvI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x, float x_scale,
               float* y) {
  Gemv<I4G32Format>(w, rows, blocks, x, &x_scale, y);
}

void GemmQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, size_t tokens,
              float* y, size_t ldy) {
  Gemm<Q8_0Format>(w, rows, blocks, x, nullptr, tokens, y, ldy);
}
void GemmQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, size_t tokens,
              float* y, size_t ldy) {
  Gemm<Q4_0Format>(w, rows, blocks, x, nullptr, tokens, y, ldy);
}
void GemmI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
               const float* x_scales, size_t tokens, float* y, size_t ldy) {
  Gemm<I4G32Format>(w, rows, blocks, x, x_scales, tokens, y, ldy);
}

}  // namespace
}  // namespace neon
}  // namespace nas::liv::quant

// The interleaved Q4_0 and F16 kernels, which use the helpers above.
#include "liv/quant/quant_neon_f16x8.h"
#include "liv/quant/quant_neon_q4_0x8.h"

namespace nas::liv::quant {

const QuantKernelTable kNeonDotprodQuant = {
    .name = "neon-dotprod",
    .supported = CpuHasNeonDotprod,
    .quantize_row_q8_0 = neon::QuantizeRowQ8_0,
    .quantize_row_i8 = neon::QuantizeRowI8,
    .block_sums_q8_0 = neon::BlockSumsQ8_0,
    .block_sums_q4_0 = neon::BlockSumsQ4_0,
    .block_sums_i4g32 = neon::BlockSumsI4G32,
    .block_sums_q4_0x8 = neon::BlockSumsQ4_0x8,
    .gemv_q8_0 = neon::GemvQ8_0,
    .gemv_q4_0 = neon::GemvQ4_0,
    .gemv_i4g32 = neon::GemvI4G32,
    .gemv_f16 = neon::GemvF16,
    .gemv_q4_0x8 = x8::Gemv<neon::X8Tile>,
    .gemv_f16x8 = x8::GemvF16x8<neon::F16x8Tile>,
    .gemm_q8_0 = neon::GemmQ8_0,
    .gemm_q4_0 = neon::GemmQ4_0,
    .gemm_i4g32 = neon::GemmI4G32,
    .gemm_f16 = neon::GemmF16,
    .gemm_q4_0x8 = x8::Gemm<neon::X8Tile, neon::kX8TileTokens, neon::kTokenChunk>,
    .gemm_f16x8 = x8::GemmF16x8<neon::F16x8Tile, neon::kF16x8TileTokens, neon::kTokenChunkF16>,
};

}  // namespace nas::liv::quant
