// Scores one candidate in this process: builds the ArchSpec as a libtorch model, trains it
// on the MAD tasks or a text corpus within the request's budget (one run per task setting
// and learning rate), and returns the scores, curves and provenance as an EvaluationResult
// (proto/evaluator.proto). The in-process evaluator, the gRPC service (`evaluator serve`)
// and the `evaluator run` command all call this one function.
//
// Errors: InvalidArgument for a bad ArchSpec or bad settings (the message names the field,
// e.g. "spec.layers[2].attention.num_kv_heads: ..." or "settings.tasks[0]: ..."),
// NotFound for a missing corpus file, Cancelled when `cancel` was set. A training that
// diverges is not an error: the result has outcome DIVERGED. Same request, same result:
// the weights, the data and their order follow from the seed alone, and the torch thread
// count does not change the values beyond float reassociation (tests compare runs with
// equal thread counts bit for bit). Thread-safe: concurrent calls train independently
// (each uses the intra-op thread count of its budget).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "evaluator/evaluation_settings.h"
#include "proto/evaluator.pb.h"

namespace nas::eval {

// Reported while training: every log_every steps of every run, and at each run's end.
struct TrainingProgress {
  std::string task;     // task name or "corpus"
  std::string setting;  // the setting's description
  double learning_rate = 0;
  int run = 0;          // 0-based index of this run among all runs of the evaluation
  int runs = 0;         // how many runs the evaluation has
  int step = 0;         // steps done in this run
  int steps = 0;        // steps of a run
  double loss = 0;      // mean training loss since the previous report
  bool run_finished = false;
  double accuracy = 0;  // when run_finished: the run's test accuracy (MAD)
};

class TorchModel;

struct EvaluateOptions {
  std::function<void(const TrainingProgress&)> progress;  // optional
  const std::atomic<bool>* cancel = nullptr;              // optional; checked every step
  // Optional: each run's trained model with its labelled result (task, setting, learning
  // rate, scores), before the next run starts; not called for runs that diverged.
  std::function<void(const TrainingRun&, TorchModel&)> trained;
};

absl::StatusOr<EvaluationResult> Evaluate(const EvaluateRequest& request,
                                          const EvaluateOptions& options = {});

// Evaluate's signature, for code that takes the trainer as a parameter (the service, the
// coordinator's in-process evaluator) so it can be tested with a fake and built without
// libtorch.
using EvaluateFn = std::function<absl::StatusOr<EvaluationResult>(const EvaluateRequest&,
                                                                  const EvaluateOptions&)>;

// "libtorch 1.13.1, 2 threads" and the like: recorded in EvaluationResult.evaluator.
std::string EvaluatorDescription(int threads);

}  // namespace nas::eval
