// Accuracy on the probed positions of batches (batch.h: MAD tasks', a corpus's): the
// fraction of probed positions whose predicted token equals the target. Unprobed positions
// never count. Counts add up over batches, so a split's accuracy is exact whatever its
// batching.
// Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "evaluator/batch.h"

namespace nas::eval {

struct ProbedAccuracy {
  int64_t correct = 0;
  int64_t probed = 0;

  // correct / probed; 0 when nothing was probed.
  double value() const { return probed > 0 ? static_cast<double>(correct) / probed : 0.0; }
  ProbedAccuracy& operator+=(const ProbedAccuracy& other) {
    correct += other.correct;
    probed += other.probed;
    return *this;
  }
};

// `predicted` holds one token id per position, row-major [batch_size, seq_len] like the
// batch; InvalidArgument (with both sizes) when its size differs.
absl::StatusOr<ProbedAccuracy> ScorePredictions(const Batch& batch,
                                                std::span<const int32_t> predicted);

}  // namespace nas::eval
