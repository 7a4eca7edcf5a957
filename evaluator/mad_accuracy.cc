#include "evaluator/mad_accuracy.h"

#include "absl/strings/str_cat.h"

namespace nas::eval {

absl::StatusOr<ProbedAccuracy> ScorePredictions(const Batch& batch,
                                                std::span<const int32_t> predicted) {
  if (predicted.size() != batch.targets.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        predicted.size(), " predicted tokens for a batch of ", batch.batch_size, " x ",
        batch.seq_len, " = ", batch.targets.size(), " positions"));
  }
  ProbedAccuracy accuracy;
  for (size_t i = 0; i < predicted.size(); ++i) {
    if (!batch.probed[i]) continue;
    ++accuracy.probed;
    if (predicted[i] == batch.targets[i]) ++accuracy.correct;
  }
  return accuracy;
}

}  // namespace nas::eval
