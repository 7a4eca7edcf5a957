// The x86 kernels of interleaved Q4_0 weights (Q4_0x8, interleaved.h) against Q8_0
// activations. Linkage and ISA selection as quant_x86_simd.h.
//
// Per group block (8 rows x 32 weights, 144 contiguous bytes): four 32-byte loads give
// bytes 4k..4k+3 of every row, one row per 32-bit lane; their low nibbles meet the token's
// activations 4k..4k+3 and their high nibbles activations 16+4k..16+4k+3, each 4 bytes
// broadcast to every lane, so the products land in the row's own lane: 8 dot products per
// token and block leave the eight rows' int32 sums with no reduction, which are converted,
// scaled by d_w (the eight scales: one load) times d_a and accumulated in f32.
//   AVX-512 VNNI: vpdpbusd (unsigned nibbles x signed activations). The low chain starts
//   from the block's NibbleOffset (Q4_0's -8), the high one takes the nibbles in place
//   (q & 0xf0 = 16 n) and is shifted right by 4 once per block.
//   AVX2: vpmaddubsw to int16 (all eight products of a lane stay below 2^15: 8 x 15 x 127),
//   vpmaddwd to int32 once per block, plus the offset.
// gemm computes tiles of one group by kX8TileTokens tokens (each unpacked block serves every
// token of the tile) over chunks of kTokenChunk tokens (quant_x86_int8.h).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "liv/quant/blocks.h"
#include "liv/quant/interleaved.h"
#include "liv/quant/quant_x8_loops.h"
#include "liv/quant/quant_x86_int8.h"
#include "liv/quant/quant_x86_simd.h"

namespace nas::liv::quant::x86 {
namespace {

#if defined(NAS_LIV_QUANT_X86_VNNI)
constexpr int kX8TileTokens = 8;
#else
constexpr int kX8TileTokens = 4;
#endif

// One group block's nibbles: lo[k] = weights 4k..4k+3 of each row, hi[k] = 16+4k.. (VNNI:
// times 16).
struct X8Nibbles {
  __m256i lo[4], hi[4];
};

inline X8Nibbles LoadX8(const BlockQ4_0x8& block) {
  const __m256i mask = _mm256_set1_epi8(0x0f);
  X8Nibbles w;
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block.qs + 32 * k));
    w.lo[k] = _mm256_and_si256(q, mask);
#if defined(NAS_LIV_QUANT_X86_VNNI)
    w.hi[k] = _mm256_andnot_si256(mask, q);
#else
    w.hi[k] = _mm256_and_si256(_mm256_srli_epi16(q, 4), mask);
#endif
  }
  return w;
}

// 4 activation bytes in every 32-bit lane.
inline __m256i Broadcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return _mm256_set1_epi32(v);
}

// The eight rows' sum_j (n_j - 8) a_j for one activation block, offset = -8 sum_j a_j.
inline __m256i X8Dot(const X8Nibbles& w, const int8_t* a, int32_t offset) {
#if defined(NAS_LIV_QUANT_X86_VNNI)
  __m256i lo = _mm256_set1_epi32(offset);
  __m256i hi = _mm256_setzero_si256();
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    lo = _mm256_dpbusd_epi32(lo, w.lo[k], Broadcast4(a + 4 * k));
    hi = _mm256_dpbusd_epi32(hi, w.hi[k], Broadcast4(a + 16 + 4 * k));
  }
  return _mm256_add_epi32(lo, _mm256_srai_epi32(hi, 4));
#else
  __m256i pairs = _mm256_setzero_si256();
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(w.lo[k], Broadcast4(a + 4 * k)));
    pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(w.hi[k], Broadcast4(a + 16 + 4 * k)));
  }
  return _mm256_add_epi32(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)),
                          _mm256_set1_epi32(offset));
#endif
}

void BlockSumsQ4_0x8(const BlockQ4_0x8* w, const BlockQ8_0* a, const int32_t* a_offsets,
                     size_t blocks, int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) {
    const __m256i s = X8Dot(LoadX8(w[b]), a[b].qs, a_offsets[b]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(sums + kInterleavedRows * b), s);
  }
}

// One group (rows 8g..8g+7 at w, `blocks` blocks) against RN tokens of x (token t's blocks
// at x + t * blocks, offsets likewise) into y[t * ldy + r]: the tile of quant_x8_loops.h.
template <int RN>
struct X8Tile {
  static void Run(const BlockQ4_0x8* w, size_t blocks, const BlockQ8_0* x,
                  const int32_t* offsets, float* y, size_t ldy) {
    __m256 acc[RN];
#pragma GCC unroll 8
    for (int t = 0; t < RN; ++t) acc[t] = _mm256_setzero_ps();
    for (size_t b = 0; b < blocks; ++b) {
      const X8Nibbles q = LoadX8(w[b]);
      const __m256 dw = LoadHalves(w[b].d);
#pragma GCC unroll 8
      for (int t = 0; t < RN; ++t) {
        const BlockQ8_0& a = x[t * blocks + b];
        const __m256i s = X8Dot(q, a.qs, offsets[t * blocks + b]);
        const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(Half(a.d)));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), scale, acc[t]);
      }
    }
#pragma GCC unroll 8
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * ldy, acc[t]);
  }
};

}  // namespace
}  // namespace nas::liv::quant::x86
