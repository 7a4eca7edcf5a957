// The AVX-512 (F/BW/DQ/VL) variant. Tails use masked loads and stores. gemv, the decode
// hot path, streams 8 rows at once with software prefetch so that it runs at memory
// bandwidth. The *_f16 kernels convert halves with vcvtph2ps (exact). GELU reuses the
// scalar reference.
//
// This file is compiled with AVX-512 flags, so it must not instantiate inline functions or
// templates with external linkage (std::min, std::sqrt, ...): the linker could keep this
// copy for the whole program and run AVX-512 code on a CPU without it. Everything here is
// intrinsics and functions with internal linkage.

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "liv/kernels/gemv_walk.h"
#include "liv/kernels/kernel_variants.h"
#include "liv/kernels/kernels.h"

// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() as the unused merge source, which
// its own -Wuninitialized then reports once inlined here (fixed in later GCC): silence it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace nas::liv::kernels {
namespace {

constexpr size_t kLanes = 16;

// Lanes [0, n) for n < 16.
__mmask16 TailMask(size_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

// exp(x) for every lane: Cephes' degree-5 polynomial on the reduced argument
// r = x - n ln2 in [-ln2/2, ln2/2], scaled by 2^n with scalef (which also handles
// overflow to inf and gradual underflow to 0). About 2 ulp.
__m512 Exp(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-104.0f));  // exp(-104) is 0 in float; avoids NaN on -inf
  x = _mm512_min_ps(x, _mm512_set1_ps(89.0f));    // exp(89) is inf in float
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

// gemv streams the matrix from DRAM, so its speed is the number of cache lines in flight.
// Each step takes one cache line (16 floats) from each of 8 rows, with an independent
// accumulator per row; software prefetch (into L2) runs kGemvPrefetch floats ahead in
// every row and, near the end of the rows, continues into the same rows of the next
// group, so that no stream stalls at a row boundary waiting for the hardware prefetcher.
constexpr size_t kGemvRows = 8;
constexpr size_t kGemvPrefetch = 1024;

// R rows of y = W x starting at w; `next` is the next group of rows (or w itself).
template <int R>
inline void GemvRows(const float* w, size_t ldw, size_t cols, const float* x, float* y,
                     const float* next) {
  __m512 acc[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  // Prefetch `ahead` floats along the row; in the last `ahead` columns, the next rows.
  const size_t ahead = kGemvPrefetch < cols ? kGemvPrefetch : cols;
  auto step = [&](size_t k, const float* prefetch) __attribute__((always_inline)) {
    const __m512 xv = _mm512_loadu_ps(x + k);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(prefetch + r * ldw), _MM_HINT_T1);
      acc[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * ldw + k), xv, acc[r]);
    }
  };
  size_t k = 0;
  for (; k + kLanes <= cols - ahead; k += kLanes) step(k, w + k + ahead);
  for (; k + kLanes <= cols; k += kLanes) step(k, next + (k + ahead - cols));
  if (k < cols) {
    const __mmask16 m = TailMask(cols - k);
    const __m512 xv = _mm512_maskz_loadu_ps(m, x + k);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + r * ldw + k), xv, acc[r]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) y[r] = _mm512_reduce_add_ps(acc[r]);
}

void GemvF32(const float* w, size_t ldw, size_t rows, size_t cols, const float* x, float* y) {
  WalkGemvRows<kGemvRows>(w, ldw, rows, cols, x, y,
                          [](auto count, const float* group, size_t ld, size_t n,
                             const float* v, float* out, const float* next) {
                            GemvRows<decltype(count)::value>(group, ld, n, v, out, next);
                          });
}

// 16 floats at p, or 16 halves at p as floats; with a mask, only the lanes in m are read
// (the rest are 0).
__m512 Load(const float* p) { return _mm512_loadu_ps(p); }
__m512 Load(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
__m512 Load(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
__m512 Load(const uint16_t* p, __mmask16 m) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

// dot_f32 (T = float) and dot_f16 (T = uint16_t).
template <typename T>
float Dot(const float* a, const T* b, size_t n) {
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps();
  __m512 acc3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), Load(b + i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), Load(b + i + 16), acc1);
    acc2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), Load(b + i + 32), acc2);
    acc3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), Load(b + i + 48), acc3);
  }
  for (; i + kLanes <= n; i += kLanes) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), Load(b + i), acc0);
  }
  if (i < n) {
    const __mmask16 m = TailMask(n - i);
    acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), Load(b + i, m), acc1);
  }
  return _mm512_reduce_add_ps(
      _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

// axpy_f32 (T = float) and axpy_f16 (T = uint16_t).
template <typename T>
void Axpy(float a, const T* x, float* y, size_t n) {
  const __m512 av = _mm512_set1_ps(a);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, Load(x + i), _mm512_loadu_ps(y + i)));
  }
  if (i < n) {
    const __mmask16 m = TailMask(n - i);
    const __m512 yv = _mm512_maskz_loadu_ps(m, y + i);
    _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(av, Load(x + i, m), yv));
  }
}

void RmsNormF32(const float* x, const float* w, size_t n, float eps, float* out) {
  if (n == 0) return;
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m512 a = _mm512_loadu_ps(x + i);
    const __m512 b = _mm512_loadu_ps(x + i + kLanes);
    acc0 = _mm512_fmadd_ps(a, a, acc0);
    acc1 = _mm512_fmadd_ps(b, b, acc1);
  }
  for (; i < n; i += kLanes) {
    const __m512 a = _mm512_maskz_loadu_ps(n - i < kLanes ? TailMask(n - i) : 0xFFFF, x + i);
    acc0 = _mm512_fmadd_ps(a, a, acc0);
  }
  const float mean = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) / static_cast<float>(n);
  const float scale = 1.0f / _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(mean + eps)));
  const __m512 sv = _mm512_set1_ps(scale);
  for (i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i < kLanes ? TailMask(n - i) : 0xFFFF;
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), sv);
    _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, w + i), v));
  }
}

void SwiGluF32(const float* gate, const float* up, size_t n, float* out) {
  const __m512 one = _mm512_set1_ps(1.0f);
  for (size_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i < kLanes ? TailMask(n - i) : 0xFFFF;
    const __m512 z = _mm512_maskz_loadu_ps(m, gate + i);
    const __m512 u = _mm512_maskz_loadu_ps(m, up + i);
    const __m512 e = Exp(_mm512_sub_ps(_mm512_setzero_ps(), z));
    const __m512 silu = _mm512_div_ps(z, _mm512_add_ps(one, e));
    _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(silu, u));
  }
}

void SoftmaxF32(float* x, size_t n) {
  if (n == 0) return;
  const __m512 neg_inf = _mm512_set1_ps(-__builtin_inff());
  __m512 maxv = neg_inf;
  for (size_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i < kLanes ? TailMask(n - i) : 0xFFFF;
    maxv = _mm512_max_ps(maxv, _mm512_mask_loadu_ps(neg_inf, m, x + i));
  }
  const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(maxv));
  __m512 sumv = _mm512_setzero_ps();
  for (size_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i < kLanes ? TailMask(n - i) : 0xFFFF;
    const __m512 e = Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), max));
    _mm512_mask_storeu_ps(x + i, m, e);
    sumv = _mm512_mask_add_ps(sumv, m, sumv, e);
  }
  const __m512 inv_sum = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sumv));
  for (size_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i < kLanes ? TailMask(n - i) : 0xFFFF;
    _mm512_mask_storeu_ps(x + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), inv_sum));
  }
}

void RopeF32(float* x, size_t heads, size_t head_dim, const float* cos, const float* sin) {
  const size_t half = head_dim / 2;
  for (size_t h = 0; h < heads; ++h) {
    float* lo = x + h * head_dim;
    float* hi = lo + half;
    for (size_t i = 0; i < half; i += kLanes) {
      const __mmask16 m = half - i < kLanes ? TailMask(half - i) : 0xFFFF;
      const __m512 a = _mm512_maskz_loadu_ps(m, lo + i);
      const __m512 b = _mm512_maskz_loadu_ps(m, hi + i);
      const __m512 c = _mm512_maskz_loadu_ps(m, cos + i);
      const __m512 s = _mm512_maskz_loadu_ps(m, sin + i);
      _mm512_mask_storeu_ps(lo + i, m, _mm512_fmsub_ps(a, c, _mm512_mul_ps(b, s)));
      _mm512_mask_storeu_ps(hi + i, m, _mm512_fmadd_ps(b, c, _mm512_mul_ps(a, s)));
    }
  }
}

// Vectorised over channels, 16 at a time: the taps of a channel block are transposed once
// into registers, then every token costs kernel_len FMAs. Longer kernels than any model
// uses fall back to the reference.
constexpr size_t kMaxConvLen = 8;

void ShortConvF32(const float* in, size_t ld_in, size_t tokens, const float* taps,
                  size_t kernel_len, float* state, size_t ld_state, size_t channels,
                  float* out, size_t ld_out) {
  if (kernel_len == 0 || kernel_len > kMaxConvLen) {
    scalar::ShortConvF32(in, ld_in, tokens, taps, kernel_len, state, ld_state, channels, out,
                         ld_out);
    return;
  }
  const size_t state_rows = kernel_len - 1;
  auto window = [&](size_t i) -> const float* {
    return i < state_rows ? state + i * ld_state : in + (i - state_rows) * ld_in;
  };
  for (size_t c0 = 0; c0 < channels; c0 += kLanes) {
    const size_t width = channels - c0 < kLanes ? channels - c0 : kLanes;
    const __mmask16 m = width < kLanes ? TailMask(width) : 0xFFFF;
    __m512 tap[kMaxConvLen];
    for (size_t k = 0; k < kernel_len; ++k) {
      alignas(64) float lanes[kLanes] = {};
      for (size_t c = 0; c < width; ++c) lanes[c] = taps[(c0 + c) * kernel_len + k];
      tap[k] = _mm512_load_ps(lanes);
    }
    for (size_t t = 0; t < tokens; ++t) {
      __m512 acc = _mm512_setzero_ps();
      for (size_t k = 0; k < kernel_len; ++k) {
        acc = _mm512_fmadd_ps(tap[k], _mm512_maskz_loadu_ps(m, window(t + k) + c0), acc);
      }
      _mm512_mask_storeu_ps(out + t * ld_out + c0, m, acc);
    }
    // As in the reference: state row j <- window row tokens + j, in increasing j.
    for (size_t j = 0; j < state_rows; ++j) {
      const float* src = window(tokens + j) + c0;
      float* dst = state + j * ld_state + c0;
      if (src != dst) _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
    }
  }
}

// One pass over the state per block of 16 columns: decay, add k v^T, and accumulate q^T S.
void GlaStepF32(float* state, const float* q, const float* k, const float* v,
                const float* alpha, size_t dk, size_t dv, float* o) {
  for (size_t j = 0; j < dv; j += kLanes) {
    const __mmask16 m = dv - j < kLanes ? TailMask(dv - j) : 0xFFFF;
    const __m512 vv = _mm512_maskz_loadu_ps(m, v + j);
    __m512 acc = _mm512_setzero_ps();
    for (size_t i = 0; i < dk; ++i) {
      float* s = state + i * dv + j;
      const __m512 kv = _mm512_mul_ps(_mm512_set1_ps(k[i]), vv);
      const __m512 sv = _mm512_fmadd_ps(_mm512_set1_ps(alpha[i]), _mm512_maskz_loadu_ps(m, s), kv);
      _mm512_mask_storeu_ps(s, m, sv);
      acc = _mm512_fmadd_ps(sv, _mm512_set1_ps(q[i]), acc);
    }
    _mm512_mask_storeu_ps(o + j, m, acc);
  }
}

float SumF32(const float* x, size_t n) {
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps();
  __m512 acc3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    acc0 = _mm512_add_ps(_mm512_loadu_ps(x + i), acc0);
    acc1 = _mm512_add_ps(_mm512_loadu_ps(x + i + 16), acc1);
    acc2 = _mm512_add_ps(_mm512_loadu_ps(x + i + 32), acc2);
    acc3 = _mm512_add_ps(_mm512_loadu_ps(x + i + 48), acc3);
  }
  for (; i + kLanes <= n; i += kLanes) acc0 = _mm512_add_ps(_mm512_loadu_ps(x + i), acc0);
  if (i < n) acc1 = _mm512_add_ps(_mm512_maskz_loadu_ps(TailMask(n - i), x + i), acc1);
  return _mm512_reduce_add_ps(
      _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

}  // namespace

extern const KernelTable kAvx512Kernels = {
    .name = "avx512",
    .supported = CpuHasAvx512,
    .gemv_f32 = GemvF32,
    .dot_f32 = Dot<float>,
    .axpy_f32 = Axpy<float>,
    .dot_f16 = Dot<uint16_t>,
    .axpy_f16 = Axpy<uint16_t>,
    .rmsnorm_f32 = RmsNormF32,
    .swiglu_f32 = SwiGluF32,
    .gelu_f32 = scalar::GeluF32,
    .softmax_f32 = SoftmaxF32,
    .rope_f32 = RopeF32,
    .short_conv_f32 = ShortConvF32,
    .gla_step_f32 = GlaStepF32,
    .sum_f32 = SumF32,
};

}  // namespace nas::liv::kernels
