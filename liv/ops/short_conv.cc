#include "liv/ops/short_conv.h"

namespace nas::liv::ops {
namespace {

constexpr size_t kChannelGrain = 16;

}  // namespace

void GatedShortConv(ThreadPool& pool, const kernels::KernelTable& kt, ShortConv::Gating gating,
                    float* proj, size_t ldp, size_t tokens, size_t d, const float* taps,
                    size_t kernel_len, float* state, float* out, size_t ldo) {
  const bool input_gate = gating == ShortConv::DOUBLE;
  const bool output_gate = gating == ShortConv::DOUBLE || gating == ShortConv::OUTPUT_ONLY;
  // Column offsets of B, C and x within a projected row.
  const size_t b_col = 0;
  const size_t c_col = input_gate ? d : 0;
  const size_t x_col = input_gate ? 2 * d : (output_gate ? d : 0);
  pool.Run([&](int thread) {
    auto [c0, c1] = ThreadPool::Slice(d, thread, pool.size(), kChannelGrain);
    if (c0 >= c1) return;
    const size_t width = c1 - c0;
    if (input_gate) {
      for (size_t t = 0; t < tokens; ++t) {
        float* row = proj + t * ldp;
        for (size_t c = c0; c < c1; ++c) row[x_col + c] *= row[b_col + c];
      }
    }
    kt.short_conv_f32(proj + x_col + c0, ldp, tokens, taps + c0 * kernel_len, kernel_len,
                      state + c0, d, width, out + c0, ldo);
    if (output_gate) {
      for (size_t t = 0; t < tokens; ++t) {
        const float* row = proj + t * ldp;
        float* o = out + t * ldo;
        for (size_t c = c0; c < c1; ++c) o[c] *= row[c_col + c];
      }
    }
  });
}

}  // namespace nas::liv::ops
