// Benchmarks of the f32 kernel table, for every variant this CPU supports. The decode gemv
// is measured on LFM2-350M shapes over a 512 MB working set (far beyond any L3), so it reads
// from DRAM as a real decode does, and reports `frac_of_read_bw`: its bytes/s divided by the
// single-thread read bandwidth that sum_f32 of the active variant reaches on the same buffer
// (the best pass of this run: see SampleReadBandwidth; also reported as BM_ReadBandwidth).
// Everything is single-threaded, like a kernel called on one thread's slice of rows.

#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "liv/kernels/kernels.h"

namespace nas::liv::kernels {
namespace {

constexpr size_t kBigBytes = size_t{512} << 20;
constexpr size_t kHugePage = size_t{2} << 20;

// The shared 512 MB buffer of non-zero floats: every page is written, so that reads hit
// real memory rather than the kernel's shared zero page. Huge pages (where the kernel
// allows them) keep TLB misses out of the bandwidth figure.
const float* BigBuffer() {
  static const float* buffer = [] {
    void* p = std::aligned_alloc(kHugePage, kBigBytes);
    if (p == nullptr) {
      std::fprintf(stderr, "kernels_bench: cannot allocate %zu bytes\n", kBigBytes);
      std::exit(1);
    }
    madvise(p, kBigBytes, MADV_HUGEPAGE);
    float* f = static_cast<float*>(p);
    for (size_t i = 0; i < kBigBytes / sizeof(float); ++i) f[i] = 1e-3f * static_cast<float>(i % 997);
    return f;
  }();
  return buffer;
}

std::vector<float> Random(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Single-thread read bandwidth (bytes/s) of the active sum_f32 over the big buffer. Other
// processes on the machine can only slow a pass down, so the roofline is the best pass seen
// in this run: a few at startup, and one more before each gemv benchmark.
double g_read_bytes_per_second = 0.0;

double SampleReadBandwidth(int passes) {
  const float* buffer = BigBuffer();
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(Active().sum_f32(buffer, kBigBytes / sizeof(float)));
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    const double rate = static_cast<double>(kBigBytes) / seconds.count();
    if (rate > g_read_bytes_per_second) g_read_bytes_per_second = rate;
  }
  return g_read_bytes_per_second;
}

// Sets bytes_per_second, and frac_of_read_bw from the loop's own wall time.
void SetBandwidthCounters(benchmark::State& state, size_t bytes_per_iteration,
                          std::chrono::duration<double> loop_time) {
  const double bytes = static_cast<double>(state.iterations()) * bytes_per_iteration;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  if (g_read_bytes_per_second > 0.0 && loop_time.count() > 0.0) {
    state.counters["frac_of_read_bw"] = bytes / loop_time.count() / g_read_bytes_per_second;
  }
}

void BM_ReadBandwidth(benchmark::State& state) {
  const float* buffer = BigBuffer();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Active().sum_f32(buffer, kBigBytes / sizeof(float)));
  }
  const std::chrono::duration<double> loop_time = std::chrono::steady_clock::now() - start;
  const double rate = static_cast<double>(state.iterations()) * kBigBytes / loop_time.count();
  if (rate > g_read_bytes_per_second) g_read_bytes_per_second = rate;
  state.SetLabel(Active().name);
  SetBandwidthCounters(state, kBigBytes, loop_time);
}

// Decode gemv from DRAM: each iteration multiplies the next copy of the matrix laid out in
// the big buffer, so no copy is still cached when it comes round again.
void BM_Gemv(benchmark::State& state, const KernelTable* table, size_t rows, size_t cols) {
  const size_t matrix_floats = rows * cols;
  const size_t copies = kBigBytes / (matrix_floats * sizeof(float));
  const float* buffer = BigBuffer();
  const std::vector<float> x = Random(cols, 1);
  std::vector<float> y(rows);
  SampleReadBandwidth(1);
  size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    table->gemv_f32(buffer + next * matrix_floats, cols, rows, cols, x.data(), y.data());
    next = next + 1 == copies ? 0 : next + 1;
    benchmark::ClobberMemory();
  }
  SetBandwidthCounters(state, matrix_floats * sizeof(float),
                       std::chrono::steady_clock::now() - start);
  state.counters["GFLOPS"] = benchmark::Counter(
      2.0 * static_cast<double>(matrix_floats), benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

// The same matrix every time (4 MB: resident in L3): the kernel's compute ceiling.
void BM_GemvHot(benchmark::State& state, const KernelTable* table, size_t rows, size_t cols) {
  const std::vector<float> w = Random(rows * cols, 2);
  const std::vector<float> x = Random(cols, 1);
  std::vector<float> y(rows);
  for (auto _ : state) {
    table->gemv_f32(w.data(), cols, rows, cols, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * rows * cols * sizeof(float)));
  state.counters["GFLOPS"] = benchmark::Counter(
      2.0 * static_cast<double>(rows * cols), benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

void BM_Dot(benchmark::State& state, const KernelTable* table, size_t n) {
  const std::vector<float> a = Random(n, 1), b = Random(n, 2);
  for (auto _ : state) benchmark::DoNotOptimize(table->dot_f32(a.data(), b.data(), n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 2 * n * sizeof(float)));
}

void BM_RmsNorm(benchmark::State& state, const KernelTable* table, size_t n) {
  const std::vector<float> x = Random(n, 1), w = Random(n, 2);
  std::vector<float> out(n);
  for (auto _ : state) {
    table->rmsnorm_f32(x.data(), w.data(), n, 1e-5f, out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 3 * n * sizeof(float)));
}

void BM_Softmax(benchmark::State& state, const KernelTable* table, size_t n) {
  const std::vector<float> input = Random(n, 1);
  std::vector<float> x(n);
  for (auto _ : state) {
    x = input;  // softmax is in place; the copy is a small part of the time
    table->softmax_f32(x.data(), n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

void BM_SwiGlu(benchmark::State& state, const KernelTable* table, size_t n) {
  const std::vector<float> gate = Random(n, 1), up = Random(n, 2);
  std::vector<float> out(n);
  for (auto _ : state) {
    table->swiglu_f32(gate.data(), up.data(), n, out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

void RegisterAll() {
  benchmark::RegisterBenchmark("BM_ReadBandwidth", BM_ReadBandwidth)->UseRealTime();
  struct Shape {
    size_t rows, cols;
  };
  // LFM2-350M decode: qkv / conv in-proj, out-proj, SwiGLU up+gate, down; and a 256 MB one.
  const Shape kShapes[] = {{3072, 1024}, {1024, 1024}, {4608, 1024}, {1024, 4608}, {65536, 1024}};
  for (const KernelTable* table : AllVariants()) {
    if (!table->supported()) continue;
    const std::string v = table->name;
    for (const Shape& s : kShapes) {
      const std::string shape = std::to_string(s.rows) + "x" + std::to_string(s.cols);
      benchmark::RegisterBenchmark(("BM_Gemv/" + v + "/" + shape).c_str(), BM_Gemv, table,
                                   s.rows, s.cols)
          ->UseRealTime();
    }
    benchmark::RegisterBenchmark(("BM_GemvHot/" + v + "/1024x1024").c_str(), BM_GemvHot, table,
                                 size_t{1024}, size_t{1024})
        ->UseRealTime();
    for (size_t n : {1024, 4608}) {
      const std::string size = std::string("/").append(std::to_string(n));
      benchmark::RegisterBenchmark(("BM_Dot/" + v + size).c_str(), BM_Dot, table, n);
      benchmark::RegisterBenchmark(("BM_RmsNorm/" + v + size).c_str(), BM_RmsNorm, table, n);
      benchmark::RegisterBenchmark(("BM_Softmax/" + v + size).c_str(), BM_Softmax, table, n);
      benchmark::RegisterBenchmark(("BM_SwiGlu/" + v + size).c_str(), BM_SwiGlu, table, n);
    }
  }
}

}  // namespace
}  // namespace nas::liv::kernels

int main(int argc, char** argv) {
  namespace k = nas::liv::kernels;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  k::SampleReadBandwidth(5);
  benchmark::AddCustomContext("kernels_active", k::Active().name);
  benchmark::AddCustomContext("read_bw_single_thread_GBps_at_startup",
                              std::to_string(k::g_read_bytes_per_second / 1e9));
  k::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
