// The references liv-model-bench divides the model's speed by, measured in the same process
// so that a busy or throttled machine lowers both sides alike:
//  - ReadBandwidthProbe: the machine's read bandwidth, as the active kernel table's sum_f32
//    over a 1 GiB buffer (far beyond any cache) split over a pool's threads — the roofline
//    of a decode step, which streams every weight once.
//  - SgemmReference: OpenBLAS's cblas_sgemm, on its own threads, over the GEMMs a prefill
//    chunk of `tokens` tokens multiplies (every projection of every layer; not the output,
//    since prefill computes logits for the last token only) — the ceiling of a prefill.
// Both own their buffers (allocated and touched at creation) and are used from one thread
// at a time. OpenBLAS's thread count is process-wide: ScopedBlasThreads sets it for a scope
// and puts back 1, the setting the runtime relies on (ops::UseSingleThreadedBlas).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/runtime/thread_pool.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv::bench {

struct FreeDeleter {
  void operator()(float* p) const;
};
using FloatBuffer = std::unique_ptr<float[], FreeDeleter>;

class ReadBandwidthProbe {
 public:
  // Allocates `bytes` (rounded to whole 2 MiB pages) and writes every page from the pool's
  // threads, so reads hit real memory rather than the kernel's shared zero page.
  static absl::StatusOr<std::unique_ptr<ReadBandwidthProbe>> Create(ThreadPool& pool,
                                                                    size_t bytes = size_t{1} << 30);

  // Sums the whole buffer once, each of the pool's threads its contiguous slice.
  float Pass(ThreadPool& pool) const;
  // Best bytes/s of timed passes after one untimed warm-up pass: at least `min_passes`,
  // and passes until `min_seconds` have gone by (the machine's bandwidth can dip for
  // seconds at a time when it is shared, and a roofline is its best).
  double Measure(ThreadPool& pool, int min_passes, double min_seconds = 0.0) const;

  size_t bytes() const { return floats_ * sizeof(float); }

 private:
  ReadBandwidthProbe() = default;
  FloatBuffer buffer_;
  size_t floats_ = 0;
};

// One (rows x cols) weight shape and how often the layers use it.
struct GemmShape {
  uint64_t rows = 0;
  uint64_t cols = 0;
  int count = 0;
};

class SgemmReference {
 public:
  // Fails if the spec has no layer matrices.
  static absl::StatusOr<std::unique_ptr<SgemmReference>> Create(const ArchSpec& spec,
                                                                uint64_t tokens);

  // Every GEMM once, in layer order: C[tokens x rows] = X[tokens x cols] W^T, row-major with
  // W transposed, the call the runtime makes. Uses OpenBLAS's current thread count.
  void RunOnce();
  // Best FLOP/s of `passes` timed RunOnce after one untimed warm-up, on `threads` threads.
  double Measure(int threads, int passes);

  uint64_t flops() const { return flops_; }
  uint64_t tokens() const { return tokens_; }
  const std::vector<GemmShape>& shapes() const { return shapes_; }

 private:
  struct Call {
    const float* w;
    const float* x;
    uint64_t rows, cols;
  };
  SgemmReference() = default;

  uint64_t tokens_ = 0;
  uint64_t flops_ = 0;
  std::vector<GemmShape> shapes_;
  std::vector<FloatBuffer> buffers_;  // weight copies and one input per distinct width
  std::vector<Call> calls_;
  FloatBuffer out_;
};

class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int threads);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;
};

// "OpenBLAS <core> (<config>)", for the benchmark context.
std::string BlasDescription();

}  // namespace nas::liv::bench
