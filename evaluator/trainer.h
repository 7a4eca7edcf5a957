// One training run: a model built from an ArchSpec trained on one data source at one
// learning rate, then scored on held-out examples. AdamW with decoupled weight decay on
// matrices and the embedding (not on norms and convolution taps), a linear warm-up to the
// learning rate and constant after it (attention learns recall in a sudden jump whose step
// varies; decay can push the jump past the end of a short run), global gradient-norm
// clipping, a fresh batch every step, cross-entropy on probed positions only. A loss that
// becomes NaN or infinite ends the run as diverged (not an error). Deterministic: the same
// spec, data, config, seed and thread count give the same result bit for bit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "evaluator/mad_tasks.h"
#include "proto/arch_spec.pb.h"
#include "proto/evaluator.pb.h"

namespace nas::eval {

class TorchModel;

// Where a run's batches come from; implementations must be deterministic.
class TrainingData {
 public:
  virtual ~TrainingData() = default;
  virtual absl::StatusOr<Batch> TrainBatch(int64_t step, int batch_size) const = 0;
  // Held-out examples [first, first + count); there are num_eval_examples().
  virtual absl::StatusOr<Batch> EvalBatch(int64_t first, int count) const = 0;
  virtual int64_t num_eval_examples() const = 0;
};

struct RunConfig {
  int steps = 300;
  int batch_size = 32;
  double learning_rate = 3e-3;
  double weight_decay = 0.1;
  int warmup_steps = 20;
  double grad_clip = 1.0;  // 0 = off
  int log_every = 25;
  int eval_examples = 256;  // at most num_eval_examples()
  uint64_t init_seed = 0;   // the model's initial weights
};

struct RunProgress {
  int step = 0;
  double loss = 0;  // mean since the previous report
};

// Trains and scores. The result's task/setting fields are left empty for the caller. Its
// accuracy is over probed positions of the evaluated examples; validation_loss is the mean
// cross-entropy per probed position. Cancelled when `cancel` becomes true (checked every
// step); InvalidArgument for a spec whose vocabulary is smaller than the data's.
// `trained`, when set, is called with the scored result and the trained model (not for a
// run that diverged).
absl::StatusOr<TrainingRun> TrainAndScore(
    const ArchSpec& spec, const TrainingData& data, const RunConfig& config,
    const std::function<void(const RunProgress&)>& progress, const std::atomic<bool>* cancel,
    const std::function<void(const TrainingRun&, TorchModel&)>& trained = {});

// A MAD task as training data: training examples in order from step * batch_size (wrapping
// around the split, so a small split is seen for several epochs), the test split for
// evaluation.
class MadTaskData : public TrainingData {
 public:
  explicit MadTaskData(TaskGenerator generator) : generator_(std::move(generator)) {}
  absl::StatusOr<Batch> TrainBatch(int64_t step, int batch_size) const override;
  absl::StatusOr<Batch> EvalBatch(int64_t first, int count) const override;
  int64_t num_eval_examples() const override;

 private:
  TaskGenerator generator_;
};

// Torch's intra-op threads for this process (0 = one per logical CPU),
// with OpenBLAS held to one thread so that its threads and torch's do not fight over the
// cores (~1.7x slower on 2 cores otherwise). Returns the thread count in effect.
int ConfigureTorchThreads(int threads);

}  // namespace nas::eval
