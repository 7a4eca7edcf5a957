// The f32 kernel table of the LIV runtime. A kernel takes raw pointers, sizes and strides,
// allocates nothing and returns nothing (or a scalar); it never sees threads or specs —
// ops split the work and call a kernel on their slice. The *_f16 entries read IEEE half
// operands (as an f16 K/V cache stores them), converted exactly to f32 and accumulated in
// f32. Every instruction-set variant fills one KernelTable; the variants are listed once in
// NAS_LIV_KERNEL_VARIANTS (XNNPACK-style) and that list drives dispatch, the parity tests
// and the benchmarks. The scalar variant is the reference every other variant must match.
// Tables are immutable: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace nas::liv::kernels {

// y[r] = sum_k w[r * ldw + k] * x[k] for r in [0, rows): matrix-vector (decode).
using GemvF32Fn = void (*)(const float* w, size_t ldw, size_t rows, size_t cols,
                           const float* x, float* y);
// sum_i a[i] * b[i]
using DotF32Fn = float (*)(const float* a, const float* b, size_t n);
// y[i] += a * x[i]
using AxpyF32Fn = void (*)(float a, const float* x, float* y, size_t n);
// sum_i a[i] * half(b[i]): an f32 query against an fp16 key row.
using DotF16Fn = float (*)(const float* a, const uint16_t* b, size_t n);
// y[i] += a * half(x[i]): an fp16 value row into an f32 sum.
using AxpyF16Fn = void (*)(float a, const uint16_t* x, float* y, size_t n);
// out[i] = w[i] * x[i] / sqrt(mean(x^2) + eps); out may alias x.
using RmsNormF32Fn = void (*)(const float* x, const float* w, size_t n, float eps, float* out);
// out[i] = silu(gate[i]) * up[i] with silu(z) = z / (1 + exp(-z)); out may alias either.
using SwiGluF32Fn = void (*)(const float* gate, const float* up, size_t n, float* out);
// out[i] = 0.5 x (1 + erf(x / sqrt 2)) (exact GELU); out may alias x.
using GeluF32Fn = void (*)(const float* x, size_t n, float* out);
// In place: x[i] = exp(x[i] - max) / sum_j exp(x[j] - max).
using SoftmaxF32Fn = void (*)(float* x, size_t n);
// NeoX (rotate-half) RoPE on `heads` consecutive heads of `head_dim` floats each, in place:
//   a = x[i], b = x[i + half]; x[i] = a cos[i] - b sin[i]; x[i + half] = b cos[i] + a sin[i]
// for i < half = head_dim / 2; cos/sin hold `half` values for the token's position.
using RopeF32Fn = void (*)(float* x, size_t heads, size_t head_dim, const float* cos,
                           const float* sin);
// Causal depthwise convolution over time with carried state, for `channels` channels.
// The window is the L-1 state rows (oldest first, row stride ld_state) followed by the
// `tokens` input rows (stride ld_in); for token t and channel c:
//   out[t * ld_out + c] = sum_{k<L} taps[c * L + k] * window[t + k][c]
// Afterwards the state holds the last L-1 rows of the window. `out` must not alias `in`.
using ShortConvF32Fn = void (*)(const float* in, size_t ld_in, size_t tokens,
                                const float* taps, size_t kernel_len, float* state,
                                size_t ld_state, size_t channels, float* out, size_t ld_out);
// One token of gated linear attention for one head, state S is dk x dv row-major:
//   S[i][j] = alpha[i] * S[i][j] + k[i] * v[j];  o[j] = sum_i S[i][j] * q[i]
using GlaStepF32Fn = void (*)(float* state, const float* q, const float* k, const float* v,
                              const float* alpha, size_t dk, size_t dv, float* o);
// sum_i x[i]; reads memory the way gemv does (the bandwidth roofline of the benchmarks).
using SumF32Fn = float (*)(const float* x, size_t n);

struct KernelTable {
  const char* name;      // "scalar", "avx2", "avx512": recorded with every measurement
  bool (*supported)();   // whether this CPU can run the variant
  GemvF32Fn gemv_f32;
  DotF32Fn dot_f32;
  AxpyF32Fn axpy_f32;
  DotF16Fn dot_f16;
  AxpyF16Fn axpy_f16;
  RmsNormF32Fn rmsnorm_f32;
  SwiGluF32Fn swiglu_f32;
  GeluF32Fn gelu_f32;
  SoftmaxF32Fn softmax_f32;
  RopeF32Fn rope_f32;
  ShortConvF32Fn short_conv_f32;
  GlaStepF32Fn gla_step_f32;
  SumF32Fn sum_f32;
};

// Every variant compiled into this build, scalar first, whether or not the CPU supports it.
std::span<const KernelTable* const> AllVariants();

// The scalar reference.
const KernelTable& Scalar();

// The best variant this CPU supports, chosen once. The environment variable
// NAS_LIV_KERNELS=<name> forces a variant (it must be supported).
const KernelTable& Active();

}  // namespace nas::liv::kernels
