#include "liv/bench/bench_references.h"

#include <cblas.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "liv/kernels/kernels.h"
#include "liv/model/weight_layout.h"

namespace nas::liv::bench {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// Slices of the bandwidth buffer start on 4 KiB boundaries.
constexpr size_t kSliceGrain = 1024;
// Each weight shape of the sgemm reference cycles through enough copies that a copy is
// evicted from the last-level cache before its next use, as the model's distinct
// per-layer matrices are; shapes used fewer times get one copy per use.
constexpr uint64_t kRotationBytes = uint64_t{128} << 20;

FloatBuffer AllocateFloats(size_t floats, size_t alignment) {
  const size_t bytes = (floats * sizeof(float) + alignment - 1) / alignment * alignment;
  return FloatBuffer(static_cast<float*>(std::aligned_alloc(alignment, bytes)));
}

// Small non-zero values (no denormals, no zero page), cheaply: a xorshift per buffer.
void FillRandom(float* x, size_t n, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    x[i] = (static_cast<float>(s >> 40) * (1.0f / 16777216.0f) - 0.5f) * 0.125f;
  }
}

double SecondsOf(auto&& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void FreeDeleter::operator()(float* p) const { std::free(p); }

absl::StatusOr<std::unique_ptr<ReadBandwidthProbe>> ReadBandwidthProbe::Create(ThreadPool& pool,
                                                                               size_t bytes) {
  bytes = std::max(kHugePage, (bytes + kHugePage - 1) / kHugePage * kHugePage);
  std::unique_ptr<ReadBandwidthProbe> probe(new ReadBandwidthProbe());
  probe->floats_ = bytes / sizeof(float);
  probe->buffer_ = AllocateFloats(probe->floats_, kHugePage);
  if (probe->buffer_ == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate the ", bytes, "-byte read-bandwidth buffer"));
  }
  // Huge pages (where the kernel allows them) keep TLB misses out of the figure.
  madvise(probe->buffer_.get(), bytes, MADV_HUGEPAGE);
  float* data = probe->buffer_.get();
  const size_t n = probe->floats_;
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kSliceGrain);
    for (size_t i = begin; i < end; ++i) data[i] = 1e-3f * static_cast<float>(i % 997);
  });
  return probe;
}

float ReadBandwidthProbe::Pass(ThreadPool& pool) const {
  struct alignas(64) Partial {
    float sum = 0.0f;
  };
  std::vector<Partial> partial(pool.size());
  const float* data = buffer_.get();
  const size_t n = floats_;
  const kernels::KernelTable& kt = kernels::Active();
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kSliceGrain);
    if (begin < end) partial[thread].sum = kt.sum_f32(data + begin, end - begin);
  });
  float total = 0.0f;
  for (const Partial& p : partial) total += p.sum;
  return total;
}

double ReadBandwidthProbe::Measure(ThreadPool& pool, int min_passes, double min_seconds) const {
  volatile float sink = Pass(pool);
  double best = 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < min_passes ||
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
                      min_seconds;
       ++i) {
    const double seconds = SecondsOf([&] { sink = Pass(pool); });
    best = std::max(best, static_cast<double>(bytes()) / seconds);
  }
  (void)sink;
  return best;
}

absl::StatusOr<std::unique_ptr<SgemmReference>> SgemmReference::Create(const ArchSpec& spec,
                                                                       uint64_t tokens) {
  if (tokens == 0) return absl::InvalidArgumentError("sgemm reference: zero tokens");
  std::unique_ptr<SgemmReference> ref(new SgemmReference());
  ref->tokens_ = tokens;
  // Layer matrices in model order; model-level ones (the untied output) are left out.
  std::vector<std::pair<uint64_t, uint64_t>> order;
  std::map<std::pair<uint64_t, uint64_t>, int> counts;
  for (int i = 0; i < spec.layers_size(); ++i) {  // a weight-sharing layer multiplies too
    for (const TensorShape& t : LayerTensors(spec, i)) {
      if (t.role != TensorRole::kMatrix) continue;
      order.emplace_back(t.rows, t.cols);
      ++counts[{t.rows, t.cols}];
    }
  }
  if (order.empty()) {
    return absl::InvalidArgumentError("sgemm reference: the spec has no layer matrices");
  }
  auto allocate = [&](size_t floats, uint64_t seed) -> float* {
    FloatBuffer b = AllocateFloats(floats, 64);
    if (b == nullptr) return nullptr;
    FillRandom(b.get(), floats, seed);
    ref->buffers_.push_back(std::move(b));
    return ref->buffers_.back().get();
  };
  std::map<std::pair<uint64_t, uint64_t>, std::vector<const float*>> copies;
  std::map<uint64_t, const float*> inputs;  // by width (cols)
  uint64_t max_rows = 0;
  uint64_t seed = 1;
  for (const auto& [shape, count] : counts) {
    const auto [rows, cols] = shape;
    ref->shapes_.push_back({rows, cols, count});
    const uint64_t bytes = rows * cols * sizeof(float);
    const uint64_t n =
        std::min<uint64_t>(count, std::max<uint64_t>(1, (kRotationBytes + bytes - 1) / bytes));
    for (uint64_t c = 0; c < n; ++c) {
      const float* w = allocate(rows * cols, seed++);
      if (w == nullptr) return absl::ResourceExhaustedError("sgemm reference: out of memory");
      copies[shape].push_back(w);
    }
    if (!inputs.contains(cols)) {
      const float* x = allocate(tokens * cols, seed++);
      if (x == nullptr) return absl::ResourceExhaustedError("sgemm reference: out of memory");
      inputs[cols] = x;
    }
    max_rows = std::max(max_rows, rows);
  }
  ref->out_ = AllocateFloats(tokens * max_rows, 64);
  if (ref->out_ == nullptr) return absl::ResourceExhaustedError("sgemm reference: out of memory");
  FillRandom(ref->out_.get(), tokens * max_rows, seed);
  std::map<std::pair<uint64_t, uint64_t>, size_t> next;
  for (const auto& shape : order) {
    const std::vector<const float*>& c = copies[shape];
    size_t& i = next[shape];
    ref->calls_.push_back({c[i], inputs[shape.second], shape.first, shape.second});
    i = (i + 1) % c.size();
    ref->flops_ += 2 * tokens * shape.first * shape.second;
  }
  return ref;
}

void SgemmReference::RunOnce() {
  const int m = static_cast<int>(tokens_);
  for (const Call& c : calls_) {
    const int n = static_cast<int>(c.rows), k = static_cast<int>(c.cols);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, c.x, k, c.w, k, 0.0f,
                out_.get(), n);
  }
}

double SgemmReference::Measure(int threads, int passes) {
  ScopedBlasThreads blas(threads);
  RunOnce();
  double best = 0.0;
  for (int i = 0; i < passes; ++i) {
    const double seconds = SecondsOf([&] { RunOnce(); });
    best = std::max(best, static_cast<double>(flops_) / seconds);
  }
  return best;
}

ScopedBlasThreads::ScopedBlasThreads(int threads) { openblas_set_num_threads(threads); }
ScopedBlasThreads::~ScopedBlasThreads() { openblas_set_num_threads(1); }

std::string BlasDescription() {
  return absl::StrCat("OpenBLAS ", openblas_get_corename(), " (", openblas_get_config(), ")");
}

}  // namespace nas::liv::bench
