// The scalar reference: plain float loops written for clarity, not speed. Every other
// variant is tested against these functions, so they follow kernels.h literally. Halves
// are converted by liv/quant/blocks.h's reference conversion.

#include <cmath>
#include <cstddef>

#include "liv/kernels/kernel_variants.h"
#include "liv/kernels/kernels.h"
#include "liv/quant/blocks.h"

namespace nas::liv::kernels::scalar {

void GemvF32(const float* w, size_t ldw, size_t rows, size_t cols, const float* x,
             float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = w + r * ldw;
    float acc = 0.0f;
    for (size_t k = 0; k < cols; ++k) acc += row[k] * x[k];
    y[r] = acc;
  }
}

float DotF32(const float* a, const float* b, size_t n) {
  float acc = 0.0f;
  for (size_t i = 0; i < n; ++i) acc += a[i] * b[i];
  return acc;
}

void AxpyF32(float a, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

float DotF16(const float* a, const uint16_t* b, size_t n) {
  float acc = 0.0f;
  for (size_t i = 0; i < n; ++i) acc += a[i] * quant::HalfToFloat(b[i]);
  return acc;
}

void AxpyF16(float a, const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * quant::HalfToFloat(x[i]);
}

void RmsNormF32(const float* x, const float* w, size_t n, float eps, float* out) {
  if (n == 0) return;
  float sum_sq = 0.0f;
  for (size_t i = 0; i < n; ++i) sum_sq += x[i] * x[i];
  const float scale = 1.0f / std::sqrt(sum_sq / static_cast<float>(n) + eps);
  for (size_t i = 0; i < n; ++i) out[i] = w[i] * (x[i] * scale);
}

void SwiGluF32(const float* gate, const float* up, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) {
    const float z = gate[i];
    const float silu = z / (1.0f + std::exp(-z));
    out[i] = silu * up[i];
  }
}

void GeluF32(const float* x, size_t n, float* out) {
  const float inv_sqrt2 = 0.70710678118654752f;
  for (size_t i = 0; i < n; ++i) {
    out[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * inv_sqrt2));
  }
}

void SoftmaxF32(float* x, size_t n) {
  if (n == 0) return;
  float max = x[0];
  for (size_t i = 1; i < n; ++i) max = std::fmax(max, x[i]);
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv_sum = 1.0f / sum;
  for (size_t i = 0; i < n; ++i) x[i] *= inv_sum;
}

void RopeF32(float* x, size_t heads, size_t head_dim, const float* cos, const float* sin) {
  const size_t half = head_dim / 2;
  for (size_t h = 0; h < heads; ++h) {
    float* head = x + h * head_dim;
    for (size_t i = 0; i < half; ++i) {
      const float a = head[i];
      const float b = head[i + half];
      head[i] = a * cos[i] - b * sin[i];
      head[i + half] = b * cos[i] + a * sin[i];
    }
  }
}

void ShortConvF32(const float* in, size_t ld_in, size_t tokens, const float* taps,
                  size_t kernel_len, float* state, size_t ld_state, size_t channels,
                  float* out, size_t ld_out) {
  if (kernel_len == 0) return;
  const size_t state_rows = kernel_len - 1;
  // Row i of the window: the state rows first, then the input rows.
  auto window = [&](size_t i) -> const float* {
    return i < state_rows ? state + i * ld_state : in + (i - state_rows) * ld_in;
  };
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t c = 0; c < channels; ++c) {
      float acc = 0.0f;
      for (size_t k = 0; k < kernel_len; ++k) acc += taps[c * kernel_len + k] * window(t + k)[c];
      out[t * ld_out + c] = acc;
    }
  }
  // New state row j is window row tokens + j. When that row is still a state row it lies
  // further down the state than row j, so copying in increasing j reads before it writes.
  for (size_t j = 0; j < state_rows; ++j) {
    const float* src = window(tokens + j);
    float* dst = state + j * ld_state;
    if (src == dst) continue;
    for (size_t c = 0; c < channels; ++c) dst[c] = src[c];
  }
}

void GlaStepF32(float* state, const float* q, const float* k, const float* v,
                const float* alpha, size_t dk, size_t dv, float* o) {
  for (size_t i = 0; i < dk; ++i) {
    float* row = state + i * dv;
    for (size_t j = 0; j < dv; ++j) row[j] = alpha[i] * row[j] + k[i] * v[j];
  }
  for (size_t j = 0; j < dv; ++j) {
    float acc = 0.0f;
    for (size_t i = 0; i < dk; ++i) acc += state[i * dv + j] * q[i];
    o[j] = acc;
  }
}

float SumF32(const float* x, size_t n) {
  float acc = 0.0f;
  for (size_t i = 0; i < n; ++i) acc += x[i];
  return acc;
}

}  // namespace nas::liv::kernels::scalar

namespace nas::liv::kernels {

namespace {
bool AlwaysSupported() { return true; }
}  // namespace

extern const KernelTable kScalarKernels = {
    .name = "scalar",
    .supported = AlwaysSupported,
    .gemv_f32 = scalar::GemvF32,
    .dot_f32 = scalar::DotF32,
    .axpy_f32 = scalar::AxpyF32,
    .dot_f16 = scalar::DotF16,
    .axpy_f16 = scalar::AxpyF16,
    .rmsnorm_f32 = scalar::RmsNormF32,
    .swiglu_f32 = scalar::SwiGluF32,
    .gelu_f32 = scalar::GeluF32,
    .softmax_f32 = scalar::SoftmaxF32,
    .rope_f32 = scalar::RopeF32,
    .short_conv_f32 = scalar::ShortConvF32,
    .gla_step_f32 = scalar::GlaStepF32,
    .sum_f32 = scalar::SumF32,
};

}  // namespace nas::liv::kernels
