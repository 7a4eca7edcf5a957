#include "liv/ops/recurrence.h"

#include <cmath>

namespace nas::liv::ops {
namespace {

// log(sigmoid(x)) without overflow for large |x|.
float LogSigmoid(float x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

}  // namespace

void GatedLinearAttention(ThreadPool& pool, const kernels::KernelTable& kt, float* proj,
                          size_t ldp, size_t tokens, uint32_t heads, uint32_t head_dim,
                          float* state, float* out, size_t ldo) {
  const size_t hd = head_dim;
  const size_t width = static_cast<size_t>(heads) * hd;
  const float q_scale = 1.0f / std::sqrt(static_cast<float>(hd));
  pool.Run([&](int thread) {
    auto [h0, h1] = ThreadPool::Slice(heads, thread, pool.size());
    for (size_t h = h0; h < h1; ++h) {
      float* s = state + h * hd * hd;
      for (size_t t = 0; t < tokens; ++t) {
        float* row = proj + t * ldp;
        float* q = row + h * hd;
        const float* k = row + width + h * hd;
        const float* v = row + 2 * width + h * hd;
        float* alpha = row + 3 * width + h * hd;
        const float* g = row + 4 * width + h * hd;
        for (size_t i = 0; i < hd; ++i) {
          q[i] *= q_scale;
          alpha[i] = std::exp(LogSigmoid(alpha[i]) / kGlaDecayNormalizer);
        }
        float* o = out + t * ldo + h * hd;
        kt.gla_step_f32(s, q, k, v, alpha, hd, hd, o);
        kt.swiglu_f32(g, o, hd, o);
      }
    }
  });
}

}  // namespace nas::liv::ops
