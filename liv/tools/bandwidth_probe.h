// The noise probe of liv-measure: the machine's memory read bandwidth right now, as the
// active kernel table's sum_f32 over a buffer far larger than any cache (128 MiB by
// default), split over its own pool of the session's thread count (and pinning). One
// MeasureGbps() takes ~5-10 ms: whole passes, at least kMinProbePasses and until
// kMinProbeSeconds have gone by, and it reports the best pass, so that a thread descheduled
// for a few milliseconds (a single slow pass) does not read as a change of the machine.
// Shared VMs' bandwidth swings in phases of seconds, which every pass of a probe sees;
// probes between repetitions show whether it swung while a point was measured. The buffer is allocated and written once, at creation, and
// stays resident: it is part of the process's peak memory, so liv-measure adds bytes() to
// the predicted peak. Used from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv {

inline constexpr size_t kDefaultProbeBytes = size_t{128} << 20;
inline constexpr double kMinProbeSeconds = 0.005;
inline constexpr int kMinProbePasses = 2;

class BandwidthProbe {
 public:
  // ResourceExhausted when the buffer cannot be allocated.
  static absl::StatusOr<std::unique_ptr<BandwidthProbe>> Create(
      int threads, const std::vector<int>& pin_cpus, size_t bytes = kDefaultProbeBytes);
  ~BandwidthProbe();
  BandwidthProbe(const BandwidthProbe&) = delete;
  BandwidthProbe& operator=(const BandwidthProbe&) = delete;

  // Read bandwidth in GB/s (1e9 bytes/s): the best of the probe's passes over the buffer.
  double MeasureGbps();

  size_t bytes() const { return floats_ * sizeof(float); }
  // The buffer size Create(..., bytes) allocates: whole 2 MiB pages, at least one.
  static size_t RoundedBytes(size_t bytes);

 private:
  BandwidthProbe(int threads, const std::vector<int>& pin_cpus);
  float Pass();

  struct alignas(64) Partial {  // one cache line per thread: no false sharing
    float sum = 0.0f;
  };

  ThreadPool pool_;
  std::vector<Partial> partials_;  // one per pool thread
  float* buffer_ = nullptr;
  size_t floats_ = 0;
  volatile float sink_ = 0;
};

}  // namespace nas::liv
