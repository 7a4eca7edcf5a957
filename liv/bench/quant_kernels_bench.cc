// Benchmarks of the quantized kernel tables (liv/quant), for every variant this CPU supports
// and every weight type (q8_0, q4_0, q4_0x8, i4g32, f16, f16x8), single-threaded like a kernel called on one
// thread's slice of rows.
//
// gemv (decode) on LFM2-350M shapes (rows x cols) and a 65536 x 1024 matrix far beyond any
// L3: each iteration multiplies the next copy of the matrix laid out in a 512 MB buffer, so
// the weights come from DRAM as in a real decode. It reports weight_GBps (weight bytes / s,
// 10^9) and frac_of_read_bw: that over the single-thread read bandwidth of the same buffer,
// measured in this run as liv/bench/kernels_bench.cc does (the f32 table's sum_f32, best pass
// seen; also BM_ReadBandwidth). BM_GemvHot repeats one 1024 x 1024 matrix (cache-resident):
// the compute ceiling.
// gemm (prefill) with 512 tokens on the same matrix every time reports GOPS (2 * rows * cols
// * tokens / s, 10^9) and vs_scalar: the scalar variant's time on the same problem (measured
// once per problem, in this run) over this one's.
//
// The buffer holds the fp16 value 0x2E66 (~0.1) in every aligned pair of bytes: every block
// scale (at an even offset of 34- or 18-byte blocks) is that finite number and every
// quantized byte some valid value, so one buffer serves all four types.

#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "liv/kernels/kernels.h"
#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"

namespace nas::liv::quant {
namespace {

constexpr size_t kBigBytes = size_t{512} << 20;
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kGemmTokens = 512;

const uint8_t* BigBuffer() {
  static const uint8_t* buffer = [] {
    void* p = std::aligned_alloc(kHugePage, kBigBytes);
    if (p == nullptr) {
      std::fprintf(stderr, "quant_kernels_bench: cannot allocate %zu bytes\n", kBigBytes);
      std::exit(1);
    }
    madvise(p, kBigBytes, MADV_HUGEPAGE);
    uint16_t* h = static_cast<uint16_t*>(p);
    for (size_t i = 0; i < kBigBytes / sizeof(uint16_t); ++i) h[i] = 0x2E66;
    return static_cast<const uint8_t*>(p);
  }();
  return buffer;
}

// ---- read bandwidth, as liv/bench/kernels_bench.cc -----------------------------------------

double g_read_bytes_per_second = 0.0;

double ReadBufferOnce() {
  const float* f = reinterpret_cast<const float*>(BigBuffer());
  const auto start = std::chrono::steady_clock::now();
  benchmark::DoNotOptimize(kernels::Active().sum_f32(f, kBigBytes / sizeof(float)));
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  return seconds.count();
}

void SampleReadBandwidth(int passes) {
  for (int pass = 0; pass < passes; ++pass) {
    const double rate = static_cast<double>(kBigBytes) / ReadBufferOnce();
    if (rate > g_read_bytes_per_second) g_read_bytes_per_second = rate;
  }
}

void BM_ReadBandwidth(benchmark::State& state) {
  double seconds = 0.0;
  for (auto _ : state) seconds += ReadBufferOnce();
  const double rate = static_cast<double>(state.iterations()) * kBigBytes / seconds;
  if (rate > g_read_bytes_per_second) g_read_bytes_per_second = rate;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBigBytes));
  state.counters["read_GBps"] = rate / 1e9;
  state.SetLabel(kernels::Active().name);
}

// ---- the four weight types ---------------------------------------------------------------

// q4_0x8, f16x8: Q4_0 and F16 interleaved by eights (interleaved.h), the runtime's form of
// such matrices.
enum class Type { kQ8_0, kQ4_0, kQ4_0x8, kI4G32, kF16, kF16x8 };
constexpr Type kTypes[] = {Type::kQ8_0, Type::kQ4_0,  Type::kQ4_0x8,
                           Type::kI4G32, Type::kF16, Type::kF16x8};

const char* Name(Type type) {
  switch (type) {
    case Type::kQ8_0:
      return "q8_0";
    case Type::kQ4_0:
      return "q4_0";
    case Type::kQ4_0x8:
      return "q4_0x8";
    case Type::kI4G32:
      return "i4g32";
    case Type::kF16:
      return "f16";
    case Type::kF16x8:
      return "f16x8";
  }
  return "?";
}

size_t MatrixBytes(Type type, size_t rows, size_t cols) {
  const size_t blocks = rows * cols / kBlockSize;
  switch (type) {
    case Type::kQ8_0:
      return blocks * sizeof(BlockQ8_0);
    case Type::kQ4_0:
    case Type::kQ4_0x8:
      return blocks * sizeof(BlockQ4_0);
    case Type::kI4G32:
      return blocks * sizeof(BlockI4G32);
    case Type::kF16:
    case Type::kF16x8:
      return rows * cols * sizeof(uint16_t);
  }
  return 0;
}

// Activations for `tokens` tokens of `cols` values, quantized as each type takes them.
struct Activations {
  std::vector<float> f32;
  std::vector<BlockQ8_0> q8;
  std::vector<int32_t> q8_offsets;  // NibbleOffsets of q8
  std::vector<int8_t> i8;
  std::vector<float> i8_scales;
};

Activations MakeActivations(size_t tokens, size_t cols) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Activations a{std::vector<float>(tokens * cols),
                std::vector<BlockQ8_0>(tokens * cols / kBlockSize),
                std::vector<int32_t>(tokens * cols / kBlockSize),
                std::vector<int8_t>(tokens * cols), std::vector<float>(tokens)};
  for (float& x : a.f32) x = dist(rng);
  QuantizeRowQ8_0(a.f32.data(), a.q8.data(), a.f32.size());
  NibbleOffsets(a.q8.data(), a.q8.size(), a.q8_offsets.data());
  for (size_t t = 0; t < tokens; ++t) {
    a.i8_scales[t] =
        ScalarQuant().quantize_row_i8(a.f32.data() + t * cols, a.i8.data() + t * cols, cols);
  }
  return a;
}

void Gemm(const QuantKernelTable& k, Type type, const uint8_t* w, size_t rows, size_t cols,
          const Activations& a, size_t tokens, float* y) {
  const size_t blocks = cols / kBlockSize;
  switch (type) {
    case Type::kQ8_0:
      k.gemm_q8_0(reinterpret_cast<const BlockQ8_0*>(w), rows, blocks, a.q8.data(), tokens, y,
                  rows);
      break;
    case Type::kQ4_0:
      k.gemm_q4_0(reinterpret_cast<const BlockQ4_0*>(w), rows, blocks, a.q8.data(), tokens, y,
                  rows);
      break;
    case Type::kQ4_0x8:
      k.gemm_q4_0x8(reinterpret_cast<const BlockQ4_0x8*>(w), rows / kInterleavedRows, blocks,
                    a.q8.data(), a.q8_offsets.data(), tokens, y, rows);
      break;
    case Type::kI4G32:
      k.gemm_i4g32(reinterpret_cast<const BlockI4G32*>(w), rows, blocks, a.i8.data(),
                   a.i8_scales.data(), tokens, y, rows);
      break;
    case Type::kF16:
      k.gemm_f16(reinterpret_cast<const uint16_t*>(w), cols, rows, cols, a.f32.data(), cols, tokens,
                 y, rows);
      break;
    case Type::kF16x8:
      k.gemm_f16x8(reinterpret_cast<const uint16_t*>(w), rows / kInterleavedRows, cols,
                   a.f32.data(), cols, tokens, y, rows);
      break;
  }
}

void Gemv(const QuantKernelTable& k, Type type, const uint8_t* w, size_t rows, size_t cols,
          const Activations& a, float* y) {
  const size_t blocks = cols / kBlockSize;
  switch (type) {
    case Type::kQ8_0:
      k.gemv_q8_0(reinterpret_cast<const BlockQ8_0*>(w), rows, blocks, a.q8.data(), y);
      break;
    case Type::kQ4_0:
      k.gemv_q4_0(reinterpret_cast<const BlockQ4_0*>(w), rows, blocks, a.q8.data(), y);
      break;
    case Type::kQ4_0x8:
      k.gemv_q4_0x8(reinterpret_cast<const BlockQ4_0x8*>(w), rows / kInterleavedRows, blocks,
                    a.q8.data(), a.q8_offsets.data(), y);
      break;
    case Type::kI4G32:
      k.gemv_i4g32(reinterpret_cast<const BlockI4G32*>(w), rows, blocks, a.i8.data(),
                   a.i8_scales[0], y);
      break;
    case Type::kF16:
      k.gemv_f16(reinterpret_cast<const uint16_t*>(w), cols, rows, cols, a.f32.data(), y);
      break;
    case Type::kF16x8:
      k.gemv_f16x8(reinterpret_cast<const uint16_t*>(w), rows / kInterleavedRows, cols,
                   a.f32.data(), y);
      break;
  }
}

// ---- gemv ----------------------------------------------------------------------------------

void SetGemvCounters(benchmark::State& state, size_t bytes, size_t rows, size_t cols,
                     double seconds) {
  const double total = static_cast<double>(state.iterations()) * bytes;
  state.SetBytesProcessed(static_cast<int64_t>(total));
  state.counters["weight_GBps"] = total / seconds / 1e9;
  if (g_read_bytes_per_second > 0.0) {
    state.counters["frac_of_read_bw"] = total / seconds / g_read_bytes_per_second;
  }
  state.counters["GOPS"] = 2.0 * static_cast<double>(rows * cols) *
                           static_cast<double>(state.iterations()) / seconds / 1e9;
}

// From DRAM: each iteration takes the next copy of the matrix in the big buffer.
void BM_Gemv(benchmark::State& state, const QuantKernelTable* k, Type type, size_t rows,
             size_t cols) {
  const size_t bytes = MatrixBytes(type, rows, cols);
  const size_t copies = kBigBytes / bytes;
  const Activations a = MakeActivations(1, cols);
  std::vector<float> y(rows);
  SampleReadBandwidth(1);
  size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    Gemv(*k, type, BigBuffer() + next * bytes, rows, cols, a, y.data());
    next = next + 1 == copies ? 0 : next + 1;
    benchmark::ClobberMemory();
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  SetGemvCounters(state, bytes, rows, cols, seconds.count());
}

// The same matrix every time (in cache): the kernel's compute ceiling.
void BM_GemvHot(benchmark::State& state, const QuantKernelTable* k, Type type, size_t rows,
                size_t cols) {
  const Activations a = MakeActivations(1, cols);
  std::vector<float> y(rows);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    Gemv(*k, type, BigBuffer(), rows, cols, a, y.data());
    benchmark::ClobberMemory();
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  SetGemvCounters(state, MatrixBytes(type, rows, cols), rows, cols, seconds.count());
}

// ---- gemm ----------------------------------------------------------------------------------

// Seconds of one scalar gemm on the problem (the best of two, measured once per problem).
double ScalarGemmSeconds(Type type, size_t rows, size_t cols, const Activations& a) {
  static std::map<std::tuple<Type, size_t, size_t>, double> cache;
  const auto key = std::make_tuple(type, rows, cols);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::vector<float> y(kGemmTokens * rows);
  double best = 0.0;
  for (int i = 0; i < 2; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Gemm(ScalarQuant(), type, BigBuffer(), rows, cols, a, kGemmTokens, y.data());
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    if (i == 0 || seconds.count() < best) best = seconds.count();
  }
  return cache[key] = best;
}

void BM_Gemm(benchmark::State& state, const QuantKernelTable* k, Type type, size_t rows,
             size_t cols) {
  const Activations a = MakeActivations(kGemmTokens, cols);
  std::vector<float> y(kGemmTokens * rows);
  const double scalar_seconds = k != &ScalarQuant() ? ScalarGemmSeconds(type, rows, cols, a) : 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    Gemm(*k, type, BigBuffer(), rows, cols, a, kGemmTokens, y.data());
    benchmark::ClobberMemory();
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  const double per_call = seconds.count() / static_cast<double>(state.iterations());
  state.counters["GOPS"] = 2.0 * static_cast<double>(rows * cols * kGemmTokens) / per_call / 1e9;
  if (k != &ScalarQuant()) state.counters["vs_scalar"] = scalar_seconds / per_call;
}

void RegisterAll() {
  benchmark::RegisterBenchmark("BM_ReadBandwidth", BM_ReadBandwidth)->UseRealTime();
  struct Shape {
    size_t rows, cols;
  };
  // LFM2-350M: out-proj and attention, SwiGLU up/gate, down; and 64 MB of f16 / 36 MB of q4.
  const Shape kGemvShapes[] = {{1024, 1024}, {4608, 1024}, {1024, 4608}, {65536, 1024}};
  const Shape kGemmShapes[] = {{1024, 1024}, {4608, 1024}, {1024, 4608}};
  auto shape_name = [](const Shape& s) {
    return std::to_string(s.rows) + "x" + std::to_string(s.cols);
  };
  for (const QuantKernelTable* k : AllQuantVariants()) {
    if (!k->supported()) continue;
    for (Type type : kTypes) {
      const std::string prefix = std::string("/") + k->name + "/" + Name(type) + "/";
      for (const Shape& s : kGemvShapes) {
        benchmark::RegisterBenchmark(("BM_Gemv" + prefix + shape_name(s)).c_str(), BM_Gemv, k, type,
                                     s.rows, s.cols)
            ->UseRealTime();
      }
      benchmark::RegisterBenchmark(("BM_GemvHot" + prefix + "1024x1024").c_str(), BM_GemvHot, k,
                                   type, size_t{1024}, size_t{1024})
          ->UseRealTime();
      for (const Shape& s : kGemmShapes) {
        benchmark::RegisterBenchmark(("BM_Gemm" + prefix + shape_name(s) + "x512").c_str(), BM_Gemm,
                                     k, type, s.rows, s.cols)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

}  // namespace
}  // namespace nas::liv::quant

int main(int argc, char** argv) {
  namespace q = nas::liv::quant;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  q::SampleReadBandwidth(5);
  benchmark::AddCustomContext("quant_kernels_active", q::ActiveQuant().name);
  benchmark::AddCustomContext("read_bw_single_thread_GBps_at_startup",
                              std::to_string(q::g_read_bytes_per_second / 1e9));
  q::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
