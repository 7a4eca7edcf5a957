#include "liv/ops/matmul.h"

#include <cblas.h>

#include <mutex>

namespace nas::liv::ops {
namespace {

constexpr size_t kGemvRowGrain = 16;
constexpr size_t kGemmColumnGrain = 64;

}  // namespace

void UseSingleThreadedBlas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

void MatMul(ThreadPool& pool, const kernels::KernelTable& kt, const float* x, size_t ldx,
            size_t tokens, const float* w, size_t n, size_t k, float* y, size_t ldy) {
  if (tokens == 0 || n == 0) return;
  if (tokens == 1) {
    pool.Run([&](int thread) {
      auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kGemvRowGrain);
      if (begin < end) kt.gemv_f32(w + begin * k, k, end - begin, k, x, y + begin);
    });
    return;
  }
  UseSingleThreadedBlas();
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kGemmColumnGrain);
    if (begin >= end) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(tokens),
                static_cast<int>(end - begin), static_cast<int>(k), 1.0f, x,
                static_cast<int>(ldx), w + begin * k, static_cast<int>(k), 0.0f, y + begin,
                static_cast<int>(ldy));
  });
}

}  // namespace nas::liv::ops
