// Shared by the x86 quantized kernels (quant_kernels_x86.h and the headers it includes):
// lane helpers and the activation quantization, byte-identical to blocks.h's reference
// (round half away from zero emulated exactly: _mm256_round_ps rounds ties to even).
//
// Each x86 variant file includes these headers once under its own ISA flags, and
// NAS_LIV_QUANT_X86_VNNI (defined by the avx512vnni file) selects its code paths.
// Everything is in an unnamed namespace, so each variant compiles a private copy: no inline
// function or template with external linkage may be instantiated under ISA flags, or the
// linker could keep that copy for the whole program and run it on a CPU without the
// instructions.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"

namespace nas::liv::quant::x86 {
namespace {

// ---- lane helpers --------------------------------------------------------------------------

inline float Half(uint16_t h) { return _cvtsh_ss(h); }

inline float HSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float HMax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// {sum(a0), sum(a1), sum(a2), sum(a3)}.
inline __m128 Reduce4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
  const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
  return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

// Lanes [0, n) of p (n < 8), the rest 0.
inline __m256 LoadFloats(const float* p, size_t n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lanes);
  return _mm256_maskload_ps(p, mask);
}

inline __m256 LoadHalves(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline __m256 LoadHalves(const uint16_t* p, size_t n) {
  uint16_t buffer[8] = {};
  for (size_t i = 0; i < n; ++i) buffer[i] = p[i];
  return LoadHalves(buffer);
}

// ---- activation quantization (byte-identical to blocks.h's reference) ----------------------

// std::round: to nearest, halves away from zero. v - trunc(v) is exact, so the tie test is.
inline __m256 RoundHalfAway(__m256 v) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = _mm256_andnot_ps(sign_bit, _mm256_sub_ps(v, t));
  const __m256 step = _mm256_or_ps(_mm256_and_ps(v, sign_bit), _mm256_set1_ps(1.0f));
  const __m256 up = _mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  return _mm256_add_ps(t, _mm256_and_ps(up, step));
}

// Stores 4 x 8 int32 (each within int8) as 32 int8, in order.
inline void StoreInt8(int8_t* q, __m256i a, __m256i b, __m256i c, __m256i d) {
  // packs works within 128-bit halves: dwords come out as a0 b0 c0 d0 a1 b1 c1 d1.
  const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), _mm256_permutevar8x32_epi32(packed, order));
}

inline __m256 Abs(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, x += kBlockSize) {
    const __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    const __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const float amax =
        HMax(_mm256_max_ps(_mm256_max_ps(Abs(v0), Abs(v1)), _mm256_max_ps(Abs(v2), Abs(v3))));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    const __m256 s = _mm256_set1_ps(id);
    auto q = [&](__m256 v) { return _mm256_cvttps_epi32(RoundHalfAway(_mm256_mul_ps(v, s))); };
    StoreInt8(y[b].qs, q(v0), q(v1), q(v2), q(v3));
  }
}

float QuantizeRowI8(const float* x, int8_t* y, size_t n) {
  __m256 m = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, Abs(_mm256_loadu_ps(x + i)));
  if (i < n) m = _mm256_max_ps(m, Abs(LoadFloats(x + i, n - i)));
  const float s = HMax(m) / 127.0f;
  if (s == 0.0f) {
    for (i = 0; i < n; ++i) y[i] = 0;
    return s;
  }
  const __m256 sv = _mm256_set1_ps(s);
  auto q = [&](__m256 v) { return _mm256_cvttps_epi32(RoundHalfAway(_mm256_div_ps(v, sv))); };
  for (i = 0; i + 32 <= n; i += 32) {
    StoreInt8(y + i, q(_mm256_loadu_ps(x + i)), q(_mm256_loadu_ps(x + i + 8)),
              q(_mm256_loadu_ps(x + i + 16)), q(_mm256_loadu_ps(x + i + 24)));
  }
  if (i < n) {
    float tail[32] = {};
    int8_t out[32];
    for (size_t j = i; j < n; ++j) tail[j - i] = x[j];
    StoreInt8(out, q(_mm256_loadu_ps(tail)), q(_mm256_loadu_ps(tail + 8)),
              q(_mm256_loadu_ps(tail + 16)), q(_mm256_loadu_ps(tail + 24)));
    for (size_t j = i; j < n; ++j) y[j] = out[j - i];
  }
  return s;
}

}  // namespace
}  // namespace nas::liv::quant::x86
