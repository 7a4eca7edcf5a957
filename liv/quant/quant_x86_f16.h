// The x86 F16-weight kernels (f32 activations): halves converted by F16C (vcvtph2ps) and
// accumulated by FMA in 8 f32 lanes per row. gemv walks kGemvRowsF16 rows at once and
// prefetches rows kGemvPrefetchBytesF16 or more ahead, as the int8 gemv does; gemm
// computes tiles of kTileRowsF16 rows by kTileTokensF16 tokens over chunks of
// kTokenChunkF16 tokens (their activations stay in L2 while the rows pass by). Linkage and
// ISA selection as quant_x86_simd.h.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/interleaved.h"
#include "liv/quant/quant_x86_simd.h"

namespace nas::liv::quant::x86 {
namespace {

constexpr int kGemvRowsF16 = 8;
constexpr size_t kGemvPrefetchBytesF16 = 8192;
constexpr int kTileRowsF16 = 4;
#if defined(NAS_LIV_QUANT_X86_VNNI)
constexpr int kTileTokensF16 = 4;  // 16 accumulators of 32 registers
#else
constexpr int kTileTokensF16 = 2;  // 8 of 16
#endif
constexpr size_t kTokenChunkF16 = 16;

// Stores the sums of acc[r][t] (one row each) at y[t * ldy + r].
template <int RM, int RN>
inline void StoreRows(__m256 (&acc)[RM][RN], float* y, size_t ldy) {
#pragma GCC unroll 8
  for (int t = 0; t < RN; ++t) {
    int r = 0;
#pragma GCC unroll 8
    for (; r + 4 <= RM; r += 4) {
      _mm_storeu_ps(y + t * ldy + r,
                    Reduce4(acc[r][t], acc[r + 1][t], acc[r + 2][t], acc[r + 3][t]));
    }
#pragma GCC unroll 8
    for (; r < RM; ++r) y[t * ldy + r] = HSum(acc[r][t]);
  }
}

// Rows [0, RM) of w times tokens [0, RN) of x into y[t * ldy + r]. With `prefetch` set,
// the same columns of the RM rows starting there are fetched into L2 along the way.
template <int RM, int RN>
inline void TileF16(const uint16_t* w, size_t ldw, size_t cols, const float* x, size_t ldx,
                    float* y, size_t ldy, const uint16_t* prefetch = nullptr) {
  __m256 acc[RM][RN];
#pragma GCC unroll 8
  for (int r = 0; r < RM; ++r) {
#pragma GCC unroll 8
    for (int t = 0; t < RN; ++t) acc[r][t] = _mm256_setzero_ps();
  }
  auto step = [&](size_t k, size_t n) __attribute__((always_inline)) {
    __m256 xv[RN];
#pragma GCC unroll 8
    for (int t = 0; t < RN; ++t) {
      xv[t] = n == 8 ? _mm256_loadu_ps(x + t * ldx + k) : LoadFloats(x + t * ldx + k, n);
    }
#pragma GCC unroll 8
    for (int r = 0; r < RM; ++r) {
      const __m256 wv = n == 8 ? LoadHalves(w + r * ldw + k) : LoadHalves(w + r * ldw + k, n);
#pragma GCC unroll 8
      for (int t = 0; t < RN; ++t) acc[r][t] = _mm256_fmadd_ps(wv, xv[t], acc[r][t]);
    }
  };
  size_t k = 0;
  for (; k + 8 <= cols; k += 8) {
    if (prefetch != nullptr && k % 32 == 0) {  // every cache line of each row
#pragma GCC unroll 8
      for (int r = 0; r < RM; ++r)
        _mm_prefetch(reinterpret_cast<const char*>(prefetch + r * ldw + k), _MM_HINT_T1);
    }
    step(k, 8);
  }
  if (k < cols) step(k, cols - k);
  StoreRows(acc, y, ldy);
}

void GemvF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x, float* y) {
  // Prefetch whole groups of rows ahead, at least kGemvPrefetchBytesF16 (as the int8 gemv).
  const size_t group_bytes = kGemvRowsF16 * cols * sizeof(uint16_t);
  const size_t ahead = kGemvRowsF16 * ((kGemvPrefetchBytesF16 + group_bytes - 1) / group_bytes);
  size_t r = 0;
  for (; r + kGemvRowsF16 <= rows; r += kGemvRowsF16) {
    const uint16_t* next = r + ahead + kGemvRowsF16 <= rows ? w + (r + ahead) * ldw : nullptr;
    TileF16<kGemvRowsF16, 1>(w + r * ldw, ldw, cols, x, 0, y + r, 0, next);
  }
  if (r + 4 <= rows) {
    TileF16<4, 1>(w + r * ldw, ldw, cols, x, 0, y + r, 0);
    r += 4;
  }
  for (; r < rows; ++r) TileF16<1, 1>(w + r * ldw, ldw, cols, x, 0, y + r, 0);
}

template <int RM, int RN>
inline void TokenRemainderF16(size_t n, const uint16_t* w, size_t ldw, size_t cols, const float* x,
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
inline void RowTileF16(const uint16_t* w, size_t ldw, size_t cols, const float* x, size_t ldx,
                       size_t tokens, float* y, size_t ldy) {
  size_t t = 0;
  for (; t + kTileTokensF16 <= tokens; t += kTileTokensF16) {
    TileF16<RM, kTileTokensF16>(w, ldw, cols, x + t * ldx, ldx, y + t * ldy, ldy);
  }
  TokenRemainderF16<RM, kTileTokensF16 - 1>(tokens - t, w, ldw, cols, x + t * ldx, ldx, y + t * ldy,
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
    for (; r + kTileRowsF16 <= rows; r += kTileRowsF16) {
      RowTileF16<kTileRowsF16>(w + r * ldw, ldw, cols, x + t0 * ldx, ldx, n, y + t0 * ldy + r, ldy);
    }
    for (; r < rows; ++r) {
      RowTileF16<1>(w + r * ldw, ldw, cols, x + t0 * ldx, ldx, n, y + t0 * ldy + r, ldy);
    }
  }
}

// ---- F16x8 (interleaved.h): one group of 8 rows by RN tokens, the tile of
// quant_x8_loops.h. Each chunk of 8 columns is 8 rows x 16 contiguous bytes.

#if defined(NAS_LIV_QUANT_X86_VNNI)
constexpr int kF16x8TileTokens = 3;  // 24 accumulators of 32 registers
#else
constexpr int kF16x8TileTokens = 1;  // 8 of 16
#endif

template <int RN>
struct F16x8Tile {
  static void Run(const uint16_t* w, size_t cols, const float* x, size_t ldx, float* y,
                  size_t ldy) {
    __m256 acc[kInterleavedRows][RN];
#pragma GCC unroll 8
    for (auto& row : acc) {
#pragma GCC unroll 8
      for (__m256& a : row) a = _mm256_setzero_ps();
    }
    for (size_t c = 0; c < cols / kF16Chunk; ++c) {
      const uint16_t* chunk = w + c * kInterleavedRows * kF16Chunk;
      __m256 xv[RN];
#pragma GCC unroll 8
      for (int t = 0; t < RN; ++t) xv[t] = _mm256_loadu_ps(x + t * ldx + c * kF16Chunk);
#pragma GCC unroll 8
      for (size_t r = 0; r < kInterleavedRows; ++r) {
        const __m256 wv = LoadHalves(chunk + r * kF16Chunk);
#pragma GCC unroll 8
        for (int t = 0; t < RN; ++t) acc[r][t] = _mm256_fmadd_ps(wv, xv[t], acc[r][t]);
      }
    }
    StoreRows(acc, y, ldy);
  }
};

}  // namespace
}  // namespace nas::liv::quant::x86
