// Keeps the best trained model of an evaluation, as liv f32 weights, so that it can leave
// as a GGUF file (`evaluator run --export-gguf`). Offer() it every run's trained model
// (EvaluateOptions::trained): a MAD run is better with a higher test accuracy, a corpus run
// with a lower validation loss; ties keep the earlier run. Not thread-safe (an evaluation
// calls it from one thread).
#pragma once

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "liv/runtime/session.h"
#include "proto/evaluator.pb.h"

namespace nas::eval {

class TorchModel;

class BestTrainedModel {
 public:
  // Copies the model's weights (ExportToLiv) when the run beats the best so far; the
  // first error is kept and returned by status().
  void Offer(const TrainingRun& run, TorchModel& model);

  // Null until a run was offered.
  const std::shared_ptr<liv::Model>& model() const { return model_; }
  const TrainingRun& run() const { return run_; }
  const absl::Status& status() const { return status_; }

 private:
  bool Beats(const TrainingRun& run) const;

  std::shared_ptr<liv::Model> model_;
  TrainingRun run_;
  absl::Status status_;
};

}  // namespace nas::eval
