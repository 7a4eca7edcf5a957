// liv-thread-pool-bench: the synchronisation cost of the runtime's thread pool, which every
// operation of a decode step pays (an LFM2-350M step runs about 150 pool operations):
//   BM_PoolRun/threads:N           one Run of an empty task on N threads (wake + barrier);
//                                  its time per iteration is the cost per operation
//   BM_PoolGemv/threads:N          a 1024x1024 f32 gemv split over N threads, next to
//   BM_SingleThreadGemv            the same gemv on the calling thread: their difference is
//                                  what splitting costs on a short operation
// Compare ns per Run with the decode step's time (liv-model-bench) to see the share.
#include <benchmark/benchmark.h>

#include <vector>

#include "liv/kernels/kernels.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv {
namespace {

void BM_PoolRun(benchmark::State& state) {
  ThreadPool pool(static_cast<int>(state.range(0)));
  int sink = 0;
  for (auto _ : state) {
    pool.Run([&](int thread) { benchmark::DoNotOptimize(thread + sink); });
  }
}
BENCHMARK(BM_PoolRun)->ArgName("threads")->Arg(1)->Arg(2)->Arg(4)->UseRealTime();

constexpr size_t kRows = 1024, kCols = 1024;

void BM_PoolGemv(benchmark::State& state) {
  ThreadPool pool(static_cast<int>(state.range(0)));
  const auto& kt = kernels::Active();
  std::vector<float> w(kRows * kCols, 0.01f), x(kCols, 1.0f), y(kRows);
  for (auto _ : state) {
    pool.Run([&](int thread) {
      auto [begin, end] = ThreadPool::Slice(kRows, thread, pool.size(), 16);
      if (begin < end) kt.gemv_f32(w.data() + begin * kCols, kCols, end - begin, kCols, x.data(), y.data() + begin);
    });
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRows * kCols * 4));
}
BENCHMARK(BM_PoolGemv)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

void BM_SingleThreadGemv(benchmark::State& state) {
  const auto& kt = kernels::Active();
  std::vector<float> w(kRows * kCols, 0.01f), x(kCols, 1.0f), y(kRows);
  for (auto _ : state) {
    kt.gemv_f32(w.data(), kCols, kRows, kCols, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRows * kCols * 4));
}
BENCHMARK(BM_SingleThreadGemv)->UseRealTime();

}  // namespace
}  // namespace nas::liv

BENCHMARK_MAIN();
