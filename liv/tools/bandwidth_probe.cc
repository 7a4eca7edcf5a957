#include "liv/tools/bandwidth_probe.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "liv/kernels/kernels.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace nas::liv {
namespace {

constexpr size_t kPage = size_t{2} << 20;

// Slices start on 2 MiB boundaries so that each thread streams whole huge pages.
constexpr size_t kSliceGrain = (size_t{2} << 20) / sizeof(float);

}  // namespace

size_t BandwidthProbe::RoundedBytes(size_t bytes) {
  return std::max(kPage, (bytes + kPage - 1) / kPage * kPage);
}

BandwidthProbe::BandwidthProbe(int threads, const std::vector<int>& pin_cpus)
    : pool_(threads, pin_cpus), partials_(pool_.size()) {}

BandwidthProbe::~BandwidthProbe() { std::free(buffer_); }

absl::StatusOr<std::unique_ptr<BandwidthProbe>> BandwidthProbe::Create(
    int threads, const std::vector<int>& pin_cpus, size_t bytes) {
  bytes = RoundedBytes(bytes);
  std::unique_ptr<BandwidthProbe> probe(new BandwidthProbe(threads, pin_cpus));
  probe->buffer_ = static_cast<float*>(std::aligned_alloc(kPage, bytes));
  if (probe->buffer_ == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate the ", bytes, "-byte bandwidth-probe buffer"));
  }
  probe->floats_ = bytes / sizeof(float);
#if defined(__linux__)
  // Huge pages (where the kernel allows them) keep TLB misses out of the figure.
  madvise(probe->buffer_, bytes, MADV_HUGEPAGE);
#endif
  float* data = probe->buffer_;
  const size_t n = probe->floats_;
  ThreadPool& pool = probe->pool_;
  // Written (not just allocated), so reads hit real memory rather than the zero page, and
  // the pages are resident from here on, as the predicted peak assumes.
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, pool.size(), kSliceGrain);
    for (size_t i = begin; i < end; ++i) data[i] = 1e-3f * static_cast<float>(i % 997);
  });
  return probe;
}

float BandwidthProbe::Pass() {
  const float* data = buffer_;
  const size_t n = floats_;
  const kernels::KernelTable& kt = kernels::Active();
  const int count = pool_.size();
  pool_.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(n, thread, count, kSliceGrain);
    partials_[thread].sum = begin < end ? kt.sum_f32(data + begin, end - begin) : 0.0f;
  });
  float total = 0.0f;
  for (const Partial& p : partials_) total += p.sum;
  return total;
}

double BandwidthProbe::MeasureGbps() {
  using Clock = std::chrono::steady_clock;
  double total = 0, best = 0;
  int passes = 0;
  while (passes < kMinProbePasses || total < kMinProbeSeconds) {
    const auto start = Clock::now();
    sink_ = Pass();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    total += seconds;
    ++passes;
    if (seconds > 0) best = std::max(best, static_cast<double>(bytes()) / seconds / 1e9);
  }
  return best;
}

}  // namespace nas::liv
