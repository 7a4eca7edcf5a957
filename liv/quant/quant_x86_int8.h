// The x86 kernels of the int8-dot-product formats (Q8_0 and Q4_0 weights with Q8_0
// activations; I4G32 weights with per-token int8 activations). Linkage and ISA selection as
// quant_x86_simd.h.
//
// A 256-bit vector holds the same block of two rows side by side, 16 bytes of each (lo =
// bytes 0..15 of both rows' blocks, hi = bytes 16..31), against one token's block
// duplicated: one chain of two dot products (vpdpbusd with AVX-512 VNNI, vpmaddubsw +
// vpmaddwd with AVX2) serves two rows and leaves 4 exact int32 lanes per row. Four such
// pairs are reduced to one vector of 8 row sums, converted, scaled by d_w * d_a and
// accumulated in f32 (as the scalar reference does per block, up to f32 ordering). The
// kernels are bound by instruction throughput (vpdpbusd, FMA and conversions share two
// ports on Zen 4), hence the pairing, the reduction and the scales gathered in
// general-purpose registers. 512-bit vectors (4 rows each) measured slower on Zen 4.
//
// gemv walks kGemvRows rows at once and prefetches the rows kGemvPrefetchBytes or more
// ahead (short rows are too short for the hardware prefetcher to ramp up on); gemm
// computes tiles of kTileRows rows by kTileTokens tokens (each unpacked weight pair serves
// every token of the tile, each activation block every row) over chunks of kTokenChunk
// tokens, whose activations stay in L2 while the rows pass by.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_x86_simd.h"

namespace nas::liv::quant::x86 {
namespace {

constexpr int kGemvRows = 8;  // at most 8: one vector of row sums
constexpr size_t kGemvPrefetchBytes = 8192;
constexpr size_t kTokenChunk = 64;
// Measured best on Zen 4 (gemm of 512 tokens on 1024 x 1024).
constexpr int kTileRows = 8;  // at most 8: one vector of row sums
#if defined(NAS_LIV_QUANT_X86_VNNI)
constexpr int kTileTokens = 6;
#else
constexpr int kTileTokens = 3;
#endif

// ---- operands and block dot products ------------------------------------------------------

// 16 bytes at p[0] and at p[1], side by side.
inline __m256i Pair16(const uint8_t* const* p) {
  return _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(p[1]),
                             reinterpret_cast<const __m128i*>(p[0]));
}

inline __m256i Duplicate16(const void* p) {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(static_cast<const __m128i*>(p)));
}

#if defined(NAS_LIV_QUANT_X86_VNNI)
inline __m256i Negate32(__m256i a) { return _mm256_sub_epi32(_mm256_setzero_si256(), a); }
#endif

// One token's block duplicated, with a correction c whose meaning depends on the format.
struct ActOperand {
  __m256i lo, hi, c;
};

// Nibble weights (Q4_0, I4G32) as unsigned bytes 0..15 (byte j of qs: low nibble weight j,
// high nibble weight j + 16); the -8 offset comes through the activations' c.
struct NibbleOperand {
  __m256i lo, hi;
};

inline NibbleOperand NibbleWeights(const uint8_t* const* qs) {
  const __m256i q = Pair16(qs);
  const __m256i mask = _mm256_set1_epi8(0x0f);
  return {_mm256_and_si256(q, mask), _mm256_and_si256(_mm256_srli_epi16(q, 4), mask)};
}

// Int8 activations (any value) against nibble weights: c = the offset's share, -8 * sum(a)
// per group of 4 (VNNI) or 8 * (a[2i] + a[2i+1]) per int16 lane (AVX2).
inline ActOperand NibbleActivations(const int8_t* a) {
  const __m256i lo = Duplicate16(a), hi = Duplicate16(a + 16);
  const __m256i eights = _mm256_set1_epi8(8);
#if defined(NAS_LIV_QUANT_X86_VNNI)
  const __m256i zero = _mm256_setzero_si256();
  return {lo, hi, Negate32(_mm256_dpbusd_epi32(_mm256_dpbusd_epi32(zero, eights, lo), eights, hi))};
#else
  return {lo, hi,
          _mm256_add_epi16(_mm256_maddubs_epi16(eights, lo), _mm256_maddubs_epi16(eights, hi))};
#endif
}

// sum (nibble - 8) * a: 4 int32 lanes per row.
inline __m256i NibbleDot(const NibbleOperand& w, const ActOperand& a) {
#if defined(NAS_LIV_QUANT_X86_VNNI)
  return _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(a.c, w.lo, a.lo), w.hi, a.hi);
#else
  // Each int16 lane: at most 2 * 2 * 15 * 128 + 2 * 2 * 8 * 128 in magnitude.
  const __m256i pairs =
      _mm256_add_epi16(_mm256_maddubs_epi16(w.lo, a.lo), _mm256_maddubs_epi16(w.hi, a.hi));
  return _mm256_madd_epi16(_mm256_sub_epi16(pairs, a.c), _mm256_set1_epi16(1));
#endif
}

// Q8_0 values lie in [-127, 127] (what QuantizeRowQ8_0 produces). VNNI: activations offset
// to unsigned a + 128, weights carrying c = -128 * sum(w) per group of 4. AVX2: weights as
// |w| (lo, hi) with their signs (slo, shi) moved onto the activations.
struct Q8Operand {
  __m256i lo, hi, c, slo, shi;
};

inline Q8Operand Q8Weights(const uint8_t* const* qs) {
  const uint8_t* upper[2] = {qs[0] + 16, qs[1] + 16};
  const __m256i lo = Pair16(qs), hi = Pair16(upper);
  const __m256i zero = _mm256_setzero_si256();
#if defined(NAS_LIV_QUANT_X86_VNNI)
  const __m256i offset = _mm256_set1_epi8(static_cast<char>(0x80));
  return {lo, hi, Negate32(_mm256_dpbusd_epi32(_mm256_dpbusd_epi32(zero, offset, lo), offset, hi)),
          zero, zero};
#else
  return {_mm256_sign_epi8(lo, lo), _mm256_sign_epi8(hi, hi), zero, lo, hi};
#endif
}

inline ActOperand Q8Activations(const int8_t* a) {
  const __m256i lo = Duplicate16(a), hi = Duplicate16(a + 16);
#if defined(NAS_LIV_QUANT_X86_VNNI)
  const __m256i offset = _mm256_set1_epi8(static_cast<char>(0x80));
  return {_mm256_xor_si256(lo, offset), _mm256_xor_si256(hi, offset), _mm256_setzero_si256()};
#else
  return {lo, hi, _mm256_setzero_si256()};
#endif
}

// sum w * a: 4 int32 lanes per row.
inline __m256i Q8Dot(const Q8Operand& w, const ActOperand& a) {
#if defined(NAS_LIV_QUANT_X86_VNNI)
  return _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(w.c, a.lo, w.lo), a.hi, w.hi);
#else
  // Two int16 products of |w| <= 127 and |a| <= 127 fit; four would not: madd each half.
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i lo =
      _mm256_madd_epi16(_mm256_maddubs_epi16(w.lo, _mm256_sign_epi8(a.lo, w.slo)), ones);
  const __m256i hi =
      _mm256_madd_epi16(_mm256_maddubs_epi16(w.hi, _mm256_sign_epi8(a.hi, w.shi)), ones);
  return _mm256_add_epi32(lo, hi);
#endif
}

// ---- formats ---------------------------------------------------------------------------------

struct Q8_0Format {
  using Weight = BlockQ8_0;
  using Act = BlockQ8_0;
  using WOperand = Q8Operand;
  static constexpr size_t kActPerBlock = 1;  // Act elements per block of 32 values
  static constexpr bool kBlockScales = true;
  static WOperand W(const uint8_t* const* qs) { return Q8Weights(qs); }
  static ActOperand A(const Act* a) { return Q8Activations(a->qs); }
  static float Scale(const Act* a) { return Half(a->d); }
  static __m256i Dot(const WOperand& w, const ActOperand& a) { return Q8Dot(w, a); }
};

struct Q4_0Format {
  using Weight = BlockQ4_0;
  using Act = BlockQ8_0;
  using WOperand = NibbleOperand;
  static constexpr size_t kActPerBlock = 1;
  static constexpr bool kBlockScales = true;
  static WOperand W(const uint8_t* const* qs) { return NibbleWeights(qs); }
  static ActOperand A(const Act* a) { return NibbleActivations(a->qs); }
  static float Scale(const Act* a) { return Half(a->d); }
  static __m256i Dot(const WOperand& w, const ActOperand& a) { return NibbleDot(w, a); }
};

// Per-token int8 activations: no block scale; token t's results are times scales[t].
struct I4G32Format {
  using Weight = BlockI4G32;
  using Act = int8_t;
  using WOperand = NibbleOperand;
  static constexpr size_t kActPerBlock = kBlockSize;
  static constexpr bool kBlockScales = false;
  static WOperand W(const uint8_t* const* qs) { return NibbleWeights(qs); }
  static ActOperand A(const Act* a) { return NibbleActivations(a); }
  static float Scale(const Act*) { return 1.0f; }
  static __m256i Dot(const WOperand& w, const ActOperand& a) { return NibbleDot(w, a); }
};

// Both rows of the pair the same block: its sum is the first row's 4 lanes.
template <class F>
void BlockSums(const typename F::Weight* w, const typename F::Act* a, size_t blocks,
               int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* qs[2] = {reinterpret_cast<const uint8_t*>(w[b].qs),
                            reinterpret_cast<const uint8_t*>(w[b].qs)};
    const __m256i dot = F::Dot(F::W(qs), F::A(a + b * F::kActPerBlock));
    int32_t lanes[8];
    __builtin_memcpy(lanes, &dot, sizeof(lanes));
    sums[b] = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  }
}

// ---- tiles ---------------------------------------------------------------------------------

// The fp16 scales of block b of rows row[0..N) (N <= 8; the others 0) as f32 in the order
// [r0 r2 r4 r6 | r1 r3 r5 r7] of ReducePairs. The halves are combined in general-purpose
// registers, which are idle here, rather than by vector shuffles.
template <int N, class Weight>
inline __m256 RowScales(const Weight* const (&row)[N], size_t b) {
  static_assert(N <= 8);
  auto half = [&](int i) -> uint64_t { return i < N ? row[i][b].d : 0; };
  const uint64_t even = half(0) | half(2) << 16 | half(4) << 32 | half(6) << 48;
  const uint64_t odd = half(1) | half(3) << 16 | half(5) << 32 | half(7) << 48;
  const __m128i halves = _mm_insert_epi64(_mm_cvtsi64_si128(static_cast<long long>(even)),
                                          static_cast<long long>(odd), 1);
  return _mm256_cvtph_ps(halves);
}

// The row sums of 4 pair vectors (pair p = rows 2p, 2p + 1) as [r0 r2 r4 r6 | r1 r3 r5 r7]:
// 6 shuffles and 3 adds, where converting, scaling and accumulating each pair would take a
// conversion, a scale permutation and an FMA per pair, on the two ports that run vpdpbusd.
inline __m256i ReducePairs(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
  const __m256i w01 =
      _mm256_add_epi32(_mm256_unpacklo_epi64(p0, p1), _mm256_unpackhi_epi64(p0, p1));
  const __m256i w23 =
      _mm256_add_epi32(_mm256_unpacklo_epi64(p2, p3), _mm256_unpackhi_epi64(p2, p3));
  const __m256 x = _mm256_castsi256_ps(w01), z = _mm256_castsi256_ps(w23);
  const __m256 even = _mm256_shuffle_ps(x, z, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 odd = _mm256_shuffle_ps(x, z, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_add_epi32(_mm256_castps_si256(even), _mm256_castps_si256(odd));
}

// Rows [0, kRows) of w (rows of `blocks` blocks, kRows <= 8) times tokens [0, RN) of x
// (rows of blocks * kActPerBlock elements) into y[t * ldy + r]; scales[t] multiplies token
// t's results when F has no block scales. Rows go by pairs (a missing second row repeats
// the first; missing pairs are zero), reduced to one vector of 8 row sums per token,
// converted, scaled and accumulated at once. With `prefetch` set, the same blocks of the
// rows starting there are fetched into L2 along the way.
template <class F, int RN, int kRows>
inline void Tile(const typename F::Weight* w, size_t blocks, const typename F::Act* x,
                 const float* scales, float* y, size_t ldy, const typename F::Weight* prefetch) {
  static_assert(kRows >= 1 && kRows <= 8);
  constexpr int kPairs = (kRows + 1) / 2;
  const typename F::Weight* row[kRows];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) row[r] = w + r * blocks;
  const ptrdiff_t ahead = prefetch != nullptr ? prefetch - w : 0;
  __m256 acc[RN];
#pragma GCC unroll 8
  for (int t = 0; t < RN; ++t) acc[t] = _mm256_setzero_ps();
  for (size_t b = 0; b < blocks; ++b) {
    ActOperand a[RN];
    __m256 da[RN];
#pragma GCC unroll 8
    for (int t = 0; t < RN; ++t) {
      const typename F::Act* at = x + (t * blocks + b) * F::kActPerBlock;
      a[t] = F::A(at);
      da[t] = _mm256_set1_ps(F::Scale(at));
    }
    __m256 dw = RowScales(row, b);
    if constexpr (F::kBlockScales && RN == 1) dw = _mm256_mul_ps(dw, da[0]);
    constexpr size_t kPrefetchEvery = sizeof(typename F::Weight) > 32 ? 1 : 2;
    if (prefetch != nullptr && b % kPrefetchEvery == 0) {
      // Every cache line: each 34-byte Q8_0 block, every other 18-byte one (measured better
      // than every third, although 54 bytes would do).
#pragma GCC unroll 8
      for (int r = 0; r < kRows; ++r) {
        _mm_prefetch(reinterpret_cast<const char*>(row[r] + ahead + b), _MM_HINT_T1);
      }
    }
    // The unpacked pairs, then per token the four dot products, reduced at once (few
    // registers live per token).
    typename F::WOperand q[4];
#pragma GCC unroll 4
    for (int p = 0; p < kPairs; ++p) {
      const uint8_t* qs[2] = {
          reinterpret_cast<const uint8_t*>(row[2 * p][b].qs),
          reinterpret_cast<const uint8_t*>(row[2 * p + 1 < kRows ? 2 * p + 1 : 2 * p][b].qs)};
      q[p] = F::W(qs);
    }
#pragma GCC unroll 8
    for (int t = 0; t < RN; ++t) {
      __m256i sums[4];
#pragma GCC unroll 4
      for (int p = 0; p < 4; ++p)
        sums[p] = p < kPairs ? F::Dot(q[p], a[t]) : _mm256_setzero_si256();
      const __m256i s = ReducePairs(sums[0], sums[1], sums[2], sums[3]);
      const __m256 st = F::kBlockScales && RN > 1 ? _mm256_mul_ps(dw, da[t]) : dw;
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), st, acc[t]);
    }
  }
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
#pragma GCC unroll 8
  for (int t = 0; t < RN; ++t) {
    __m256 v = _mm256_permutevar8x32_ps(acc[t], order);
    if constexpr (!F::kBlockScales) v = _mm256_mul_ps(v, _mm256_set1_ps(scales[t]));
    float* out = y + t * ldy;
    if constexpr (kRows == 8) {
      _mm256_storeu_ps(out, v);
    } else if constexpr (kRows == 4) {
      _mm_storeu_ps(out, _mm256_castps256_ps128(v));
    } else {
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, v);
      for (int r = 0; r < kRows; ++r) out[r] = lanes[r];
    }
  }
}

// Tile for n rows, 0 < n <= kMax.
template <class F, int RN, int kMax>
inline void RowsTile(int n, const typename F::Weight* w, size_t blocks, const typename F::Act* x,
                     const float* scales, float* y, size_t ldy) {
  if constexpr (kMax > 0) {
    if (n == kMax) {
      Tile<F, RN, kMax>(w, blocks, x, scales, y, ldy, nullptr);
    } else {
      RowsTile<F, RN, kMax - 1>(n, w, blocks, x, scales, y, ldy);
    }
  }
}

template <class F>
void Gemv(const typename F::Weight* w, size_t rows, size_t blocks, const typename F::Act* x,
          const float* scale, float* y) {
  // Prefetch whole groups ahead, at least kGemvPrefetchBytes.
  const size_t group_bytes = kGemvRows * blocks * sizeof(typename F::Weight);
  const size_t ahead = kGemvRows * ((kGemvPrefetchBytes + group_bytes - 1) / group_bytes);
  size_t r = 0;
  for (; r + kGemvRows <= rows; r += kGemvRows) {
    const typename F::Weight* group = w + r * blocks;
    const typename F::Weight* next =
        r + ahead + kGemvRows <= rows ? group + ahead * blocks : nullptr;
    Tile<F, 1, kGemvRows>(group, blocks, x, scale, y + r, 0, next);
  }
  if (r < rows) {
    RowsTile<F, 1, kGemvRows - 1>(static_cast<int>(rows - r), w + r * blocks, blocks, x, scale,
                                  y + r, 0);
  }
}

// scales + t, or null for the block-scaled formats (which pass null).
inline const float* At(const float* scales, size_t t) {
  return scales == nullptr ? nullptr : scales + t;
}

// The last n (< kTileTokens) tokens of a tile of kRows rows.
template <class F, int kRows, int RN>
inline void TokenRemainder(size_t n, const typename F::Weight* w, size_t blocks,
                           const typename F::Act* x, const float* scales, float* y, size_t ldy) {
  if constexpr (RN > 0) {
    if (n == RN) {
      Tile<F, RN, kRows>(w, blocks, x, scales, y, ldy, nullptr);
    } else {
      TokenRemainder<F, kRows, RN - 1>(n, w, blocks, x, scales, y, ldy);
    }
  }
}

// kRows rows against `tokens` tokens.
template <class F, int kRows>
inline void RowTile(const typename F::Weight* w, size_t blocks, const typename F::Act* x,
                    const float* scales, size_t tokens, float* y, size_t ldy) {
  const size_t token_stride = blocks * F::kActPerBlock;
  size_t t = 0;
  for (; t + kTileTokens <= tokens; t += kTileTokens) {
    Tile<F, kTileTokens, kRows>(w, blocks, x + t * token_stride, At(scales, t), y + t * ldy, ldy,
                                nullptr);
  }
  TokenRemainder<F, kRows, kTileTokens - 1>(tokens - t, w, blocks, x + t * token_stride,
                                            At(scales, t), y + t * ldy, ldy);
}

// RowTile for n rows, 0 < n <= kMax.
template <class F, int kMax>
inline void RemainderRowTile(int n, const typename F::Weight* w, size_t blocks,
                             const typename F::Act* x, const float* scales, size_t tokens, float* y,
                             size_t ldy) {
  if constexpr (kMax > 0) {
    if (n == kMax) {
      RowTile<F, kMax>(w, blocks, x, scales, tokens, y, ldy);
    } else {
      RemainderRowTile<F, kMax - 1>(n, w, blocks, x, scales, tokens, y, ldy);
    }
  }
}

// scales: per-token scales (I4G32), or null for the block-scaled formats.
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
    const float* st = At(scales, t0);
    float* yt = y + t0 * ldy;
    size_t r = 0;
    for (; r + kTileRows <= rows; r += kTileRows) {
      RowTile<F, kTileRows>(w + r * blocks, blocks, xt, st, n, yt + r, ldy);
    }
    if (r < rows) {
      RemainderRowTile<F, kTileRows - 1>(static_cast<int>(rows - r), w + r * blocks, blocks, xt, st,
                                         n, yt + r, ldy);
    }
  }
}

}  // namespace
}  // namespace nas::liv::quant::x86
