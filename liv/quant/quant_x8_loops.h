// The loops of the interleaved Q4_0 and F16 products (Q4_0x8, F16x8, interleaved.h), shared
// by the SIMD variants, which supply only their tile: gemv group by group; gemm over chunks of kChunk
// tokens (whose activations stay in cache while the groups pass by), tiles of kTileTokens
// tokens per group, and one tile of fewer for the rest of a chunk.
//
// Tile is a class template of the variant, Tile<RN>::Run(w, blocks, x, offsets, y, ldy):
// one group (8 rows, `blocks` blocks at w) against RN tokens (token t's activation blocks
// at x + t * blocks, its NibbleOffsets at offsets + t * blocks) into y[t * ldy + r], r < 8.
// Everything here is in an unnamed namespace and instantiated by each variant's file under
// its own ISA flags (see quant_x86_simd.h for why).
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/interleaved.h"

namespace nas::liv::quant::x8 {
namespace {

template <template <int> class Tile>
void Gemv(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
          const int32_t* x_offsets, float* y) {
  for (size_t g = 0; g < groups; ++g) {
    Tile<1>::Run(w + g * blocks, blocks, x, x_offsets, y + g * kInterleavedRows, 0);
  }
}

// The last n (< RN + 1) tokens of a group: Tile<n>::Run(args...).
template <template <int> class Tile, int RN, class... Args>
void TokenRemainder(size_t n, Args... args) {
  if constexpr (RN > 0) {
    if (n == RN) {
      Tile<RN>::Run(args...);
    } else {
      TokenRemainder<Tile, RN - 1>(n, args...);
    }
  }
}

template <template <int> class Tile, int kTileTokens, size_t kChunk>
void Gemm(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
          const int32_t* x_offsets, size_t tokens, float* y, size_t ldy) {
  if (tokens == 1) {
    Gemv<Tile>(w, groups, blocks, x, x_offsets, y);
    return;
  }
  for (size_t t0 = 0; t0 < tokens; t0 += kChunk) {
    const size_t n = tokens - t0 < kChunk ? tokens - t0 : kChunk;
    for (size_t g = 0; g < groups; ++g) {
      const BlockQ4_0x8* wg = w + g * blocks;
      float* yg = y + t0 * ldy + g * kInterleavedRows;
      size_t t = 0;
      for (; t + kTileTokens <= n; t += kTileTokens) {
        const size_t at = (t0 + t) * blocks;
        Tile<kTileTokens>::Run(wg, blocks, x + at, x_offsets + at, yg + t * ldy, ldy);
      }
      const size_t at = (t0 + t) * blocks;
      TokenRemainder<Tile, kTileTokens - 1>(n - t, wg, blocks, x + at, x_offsets + at,
                                            yg + t * ldy, ldy);
    }
  }
}

// F16x8: Tile<RN>::Run(w, cols, x, ldx, y, ldy), one group (8 rows, `cols` columns at w)
// against RN f32 token rows (x + t * ldx) into y[t * ldy + r].
template <template <int> class Tile>
void GemvF16x8(const uint16_t* w, size_t groups, size_t cols, const float* x, float* y) {
  for (size_t g = 0; g < groups; ++g) {
    Tile<1>::Run(w + g * kInterleavedRows * cols, cols, x, 0, y + g * kInterleavedRows, 0);
  }
}

template <template <int> class Tile, int kTileTokens, size_t kChunk>
void GemmF16x8(const uint16_t* w, size_t groups, size_t cols, const float* x, size_t ldx,
               size_t tokens, float* y, size_t ldy) {
  if (tokens == 1) {
    GemvF16x8<Tile>(w, groups, cols, x, y);
    return;
  }
  for (size_t t0 = 0; t0 < tokens; t0 += kChunk) {
    const size_t n = tokens - t0 < kChunk ? tokens - t0 : kChunk;
    for (size_t g = 0; g < groups; ++g) {
      const uint16_t* wg = w + g * kInterleavedRows * cols;
      float* yg = y + g * kInterleavedRows;
      size_t t = t0;
      for (; t + kTileTokens <= t0 + n; t += kTileTokens) {
        Tile<kTileTokens>::Run(wg, cols, x + t * ldx, ldx, yg + t * ldy, ldy);
      }
      TokenRemainder<Tile, kTileTokens - 1>(t0 + n - t, wg, cols, x + t * ldx, ldx,
                                            yg + t * ldy, ldy);
    }
  }
}

}  // namespace
}  // namespace nas::liv::quant::x8
