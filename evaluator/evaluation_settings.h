// The settings of an evaluation (proto/evaluator.proto EvaluationSettings): defaults,
// validation with errors that name the field, and the MAD task settings they select.
// Torch-free, so the coordinator can check a search space's evaluator block without
// linking the trainer. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "evaluator/mad_task_settings.h"
#include "proto/evaluator.pb.h"

namespace nas::eval {

// Defaults of TrainingBudget and EvaluationSettings (also written in the proto's comments).
inline constexpr int kDefaultSteps = 300;
inline constexpr int kDefaultBatchSize = 32;
inline constexpr double kDefaultLearningRate = 3e-3;
inline constexpr double kDefaultWeightDecay = 0.1;
inline constexpr int kDefaultWarmupSteps = 20;  // or steps, when fewer
inline constexpr double kDefaultGradClip = 1.0;
inline constexpr int kDefaultEvalExamples = 256;
inline constexpr int kDefaultLogEvery = 25;
inline constexpr double kDefaultValidationFraction = 0.1;
inline constexpr int kDefaultCorpusSeqLen = 128;

// The settings with every default filled in: mode MAD when unspecified, all six tasks
// when none are named (MAD), each budget field at its default when 0 / unset (warmup_steps
// at most steps, so that a short budget stays valid). `threads` stays 0 (= all cores) and
// is resolved by the trainer.
EvaluationSettings WithDefaults(const EvaluationSettings& settings);

// OK when the settings can be trained on; otherwise InvalidArgument naming the field under
// `path` (e.g. "evaluator.training"), as "PATH.tasks[1]: unknown MAD task \"recal\"
// (known: ...)", "PATH.budget.learning_rates[0]: must be in (0, 10), got -1",
// "PATH.corpus_path: CORPUS needs a text file". Fields left at 0 / unset are checked with
// their defaults (warmup_steps against the default steps). Does not open the corpus file
// (it may live on another machine).
absl::Status ValidateSettings(const EvaluationSettings& settings,
                              const std::string& path = "settings");

// One MAD task to train, with every setting it is scored on (the baseline only, or the
// MAD protocol's baseline and harder variants), seq_len overridden where asked.
struct MadTaskPlan {
  TaskKind kind;
  std::vector<TaskSettings> settings;
};

// The MAD tasks of valid settings in MAD mode, in the order named.
absl::StatusOr<std::vector<MadTaskPlan>> PlanMadTasks(const EvaluationSettings& settings);

// A short stable text of the settings and seed (defaults filled in, numbers exact), for
// cache keys and evaluator names: equal for equal effective settings, different when a
// field that changes the scores differs (every field but log_every and threads, which
// change only how often the curve is sampled and how fast it trains).
std::string SettingsFingerprint(const EvaluationSettings& settings, uint64_t seed);

}  // namespace nas::eval
