// The AVX2 + FMA variant. Vector loops cover whole multiples of 8 floats and a scalar loop
// finishes the tail. gemv, the decode hot path, streams 8 rows at once with software
// prefetch so that it runs at memory bandwidth. The *_f16 kernels convert halves with
// F16C (vcvtph2ps, exact). GELU reuses the scalar reference.
//
// This file is compiled with AVX2 flags, so it must not instantiate inline functions or
// templates with external linkage (std::min, std::exp, ...): the linker could keep this
// copy for the whole program and run AVX2 code on a CPU without it. Everything here is
// intrinsics and functions with internal linkage.

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "liv/kernels/gemv_walk.h"
#include "liv/kernels/kernel_variants.h"
#include "liv/kernels/kernels.h"

namespace nas::liv::kernels {
namespace {

constexpr size_t kLanes = 8;

float HSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float HMax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// exp(x) for every lane: Cephes' degree-5 polynomial on r = x - n ln2, times 2^n built in
// the exponent bits. Inputs are clamped so that 2^n stays a normal float; lanes below the
// underflow threshold return 0 as std::exp does. About 2 ulp.
__m256 Exp(__m256 x) {
  const __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3365447f), _CMP_LT_OQ);
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.3365447f));
  x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
  return _mm256_andnot_ps(underflow, result);
}

// The vector exp on one lane, so that tails round like the body.
float ExpScalar(float x) {
  alignas(32) float lanes[kLanes];
  _mm256_store_ps(lanes, Exp(_mm256_set1_ps(x)));
  return lanes[0];
}

// gemv streams the matrix from DRAM, so its speed is the number of cache lines in flight.
// Each step takes one cache line (16 floats, two vectors) from each of 8 rows into one
// accumulator per row (8 chains, enough to hide FMA latency within 16 registers); software
// prefetch (into L2) runs kGemvPrefetch floats ahead in every row and, near the end of the
// rows, continues into the same rows of the next group, so that no stream stalls at a row
// boundary waiting for the hardware prefetcher.
constexpr size_t kGemvRows = 8;
constexpr size_t kGemvPrefetch = 1024;

// R rows of y = W x starting at w; `next` is the next group of rows (or w itself).
template <int R>
inline void GemvRows(const float* w, size_t ldw, size_t cols, const float* x, float* y,
                     const float* next) {
  __m256 acc[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  // Prefetch `ahead` floats along the row; in the last `ahead` columns, the next rows.
  const size_t ahead = kGemvPrefetch < cols ? kGemvPrefetch : cols;
  auto step = [&](size_t k, const float* prefetch) __attribute__((always_inline)) {
    const __m256 x0 = _mm256_loadu_ps(x + k);
    const __m256 x1 = _mm256_loadu_ps(x + k + kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(prefetch + r * ldw), _MM_HINT_T1);
      const float* row = w + r * ldw + k;
      acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row), x0, acc[r]);
      acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row + kLanes), x1, acc[r]);
    }
  };
  size_t k = 0;
  for (; k + 2 * kLanes <= cols - ahead; k += 2 * kLanes) step(k, w + k + ahead);
  for (; k + 2 * kLanes <= cols; k += 2 * kLanes) step(k, next + (k + ahead - cols));
  if (k + kLanes <= cols) {
    const __m256 x0 = _mm256_loadu_ps(x + k);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(w + r * ldw + k), x0, acc[r]);
    }
    k += kLanes;
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float sum = HSum(acc[r]);
    for (size_t t = k; t < cols; ++t) sum += w[r * ldw + t] * x[t];
    y[r] = sum;
  }
}

void GemvF32(const float* w, size_t ldw, size_t rows, size_t cols, const float* x, float* y) {
  WalkGemvRows<kGemvRows>(w, ldw, rows, cols, x, y,
                          [](auto count, const float* group, size_t ld, size_t n,
                             const float* v, float* out, const float* next) {
                            GemvRows<decltype(count)::value>(group, ld, n, v, out, next);
                          });
}

// 8 floats at p; 8 halves at p as floats (F16C). One element of either, for the tails.
__m256 Load(const float* p) { return _mm256_loadu_ps(p); }
__m256 Load(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
float Element(float x) { return x; }
float Element(uint16_t h) { return _cvtsh_ss(h); }

// dot_f32 (T = float) and dot_f16 (T = uint16_t).
template <typename T>
float Dot(const float* a, const T* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  __m256 acc3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), Load(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), Load(b + i + 8), acc1);
    acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), Load(b + i + 16), acc2);
    acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), Load(b + i + 24), acc3);
  }
  for (; i + kLanes <= n; i += kLanes) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), Load(b + i), acc0);
  }
  float sum = HSum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  for (; i < n; ++i) sum += a[i] * Element(b[i]);
  return sum;
}

// axpy_f32 (T = float) and axpy_f16 (T = uint16_t).
template <typename T>
void Axpy(float a, const T* x, float* y, size_t n) {
  const __m256 av = _mm256_set1_ps(a);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, Load(x + i), _mm256_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += a * Element(x[i]);
}

void RmsNormF32(const float* x, const float* w, size_t n, float eps, float* out) {
  if (n == 0) return;
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256 a = _mm256_loadu_ps(x + i);
    const __m256 b = _mm256_loadu_ps(x + i + kLanes);
    acc0 = _mm256_fmadd_ps(a, a, acc0);
    acc1 = _mm256_fmadd_ps(b, b, acc1);
  }
  float sum_sq = HSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum_sq += x[i] * x[i];
  const float mean = sum_sq / static_cast<float>(n);
  const float scale = 1.0f / _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(mean + eps)));
  const __m256 sv = _mm256_set1_ps(scale);
  for (i = 0; i + kLanes <= n; i += kLanes) {
    const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), sv);
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(w + i), v));
  }
  for (; i < n; ++i) out[i] = w[i] * (x[i] * scale);
}

void SwiGluF32(const float* gate, const float* up, size_t n, float* out) {
  const __m256 one = _mm256_set1_ps(1.0f);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const __m256 z = _mm256_loadu_ps(gate + i);
    const __m256 u = _mm256_loadu_ps(up + i);
    const __m256 e = Exp(_mm256_sub_ps(_mm256_setzero_ps(), z));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_div_ps(z, _mm256_add_ps(one, e)), u));
  }
  for (; i < n; ++i) out[i] = gate[i] / (1.0f + ExpScalar(-gate[i])) * up[i];
}

void SoftmaxF32(float* x, size_t n) {
  if (n == 0) return;
  __m256 maxv = _mm256_set1_ps(-__builtin_inff());
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) maxv = _mm256_max_ps(maxv, _mm256_loadu_ps(x + i));
  float max = HMax(maxv);
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;
  const __m256 maxb = _mm256_set1_ps(max);
  __m256 sumv = _mm256_setzero_ps();
  for (i = 0; i + kLanes <= n; i += kLanes) {
    const __m256 e = Exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), maxb));
    _mm256_storeu_ps(x + i, e);
    sumv = _mm256_add_ps(sumv, e);
  }
  float sum = HSum(sumv);
  for (; i < n; ++i) {
    x[i] = ExpScalar(x[i] - max);
    sum += x[i];
  }
  const float inv_sum = 1.0f / sum;
  const __m256 inv = _mm256_set1_ps(inv_sum);
  for (i = 0; i + kLanes <= n; i += kLanes) {
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
  }
  for (; i < n; ++i) x[i] *= inv_sum;
}

void RopeF32(float* x, size_t heads, size_t head_dim, const float* cos, const float* sin) {
  const size_t half = head_dim / 2;
  for (size_t h = 0; h < heads; ++h) {
    float* lo = x + h * head_dim;
    float* hi = lo + half;
    size_t i = 0;
    for (; i + kLanes <= half; i += kLanes) {
      const __m256 a = _mm256_loadu_ps(lo + i);
      const __m256 b = _mm256_loadu_ps(hi + i);
      const __m256 c = _mm256_loadu_ps(cos + i);
      const __m256 s = _mm256_loadu_ps(sin + i);
      _mm256_storeu_ps(lo + i, _mm256_fmsub_ps(a, c, _mm256_mul_ps(b, s)));
      _mm256_storeu_ps(hi + i, _mm256_fmadd_ps(b, c, _mm256_mul_ps(a, s)));
    }
    for (; i < half; ++i) {
      const float a = lo[i];
      const float b = hi[i];
      lo[i] = a * cos[i] - b * sin[i];
      hi[i] = b * cos[i] + a * sin[i];
    }
  }
}

// Vectorised over channels, 8 at a time, taps of a block transposed once into registers;
// the channel tail and kernels longer than any model uses go to the reference, which is
// exact on any sub-range of channels.
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
  size_t c0 = 0;
  for (; c0 + kLanes <= channels; c0 += kLanes) {
    __m256 tap[kMaxConvLen];
    for (size_t k = 0; k < kernel_len; ++k) {
      alignas(32) float lanes[kLanes];
      for (size_t c = 0; c < kLanes; ++c) lanes[c] = taps[(c0 + c) * kernel_len + k];
      tap[k] = _mm256_load_ps(lanes);
    }
    for (size_t t = 0; t < tokens; ++t) {
      __m256 acc = _mm256_setzero_ps();
      for (size_t k = 0; k < kernel_len; ++k) {
        acc = _mm256_fmadd_ps(tap[k], _mm256_loadu_ps(window(t + k) + c0), acc);
      }
      _mm256_storeu_ps(out + t * ld_out + c0, acc);
    }
    // As in the reference: state row j <- window row tokens + j, in increasing j.
    for (size_t j = 0; j < state_rows; ++j) {
      const float* src = window(tokens + j) + c0;
      float* dst = state + j * ld_state + c0;
      if (src != dst) _mm256_storeu_ps(dst, _mm256_loadu_ps(src));
    }
  }
  if (c0 < channels) {
    scalar::ShortConvF32(in + c0, ld_in, tokens, taps + c0 * kernel_len, kernel_len,
                         state + c0, ld_state, channels - c0, out + c0, ld_out);
  }
}

// One pass over the state per block of 8 columns: decay, add k v^T, and accumulate q^T S.
void GlaStepF32(float* state, const float* q, const float* k, const float* v,
                const float* alpha, size_t dk, size_t dv, float* o) {
  size_t j = 0;
  for (; j + kLanes <= dv; j += kLanes) {
    const __m256 vv = _mm256_loadu_ps(v + j);
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < dk; ++i) {
      float* s = state + i * dv + j;
      const __m256 kv = _mm256_mul_ps(_mm256_set1_ps(k[i]), vv);
      const __m256 sv = _mm256_fmadd_ps(_mm256_set1_ps(alpha[i]), _mm256_loadu_ps(s), kv);
      _mm256_storeu_ps(s, sv);
      acc = _mm256_fmadd_ps(sv, _mm256_set1_ps(q[i]), acc);
    }
    _mm256_storeu_ps(o + j, acc);
  }
  for (; j < dv; ++j) {
    float acc = 0.0f;
    for (size_t i = 0; i < dk; ++i) {
      float* s = state + i * dv + j;
      *s = alpha[i] * *s + k[i] * v[j];
      acc += *s * q[i];
    }
    o[j] = acc;
  }
}

float SumF32(const float* x, size_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  __m256 acc3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    acc0 = _mm256_add_ps(_mm256_loadu_ps(x + i), acc0);
    acc1 = _mm256_add_ps(_mm256_loadu_ps(x + i + 8), acc1);
    acc2 = _mm256_add_ps(_mm256_loadu_ps(x + i + 16), acc2);
    acc3 = _mm256_add_ps(_mm256_loadu_ps(x + i + 24), acc3);
  }
  for (; i + kLanes <= n; i += kLanes) acc0 = _mm256_add_ps(_mm256_loadu_ps(x + i), acc0);
  float sum = HSum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  for (; i < n; ++i) sum += x[i];
  return sum;
}

}  // namespace

extern const KernelTable kAvx2Kernels = {
    .name = "avx2",
    .supported = CpuHasAvx2Fma,
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
