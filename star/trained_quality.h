// What the trained evaluators (MAD, CORPUS, SERVICE, COMMAND; quality_evaluator.h) have in
// common: the training settings a space asks for, the evaluator's name, the request sent
// for a candidate, how an answer becomes a score, and their base class.
//
// Name: "<kind>[-<mode>]:<8 hex digits>", e.g. "mad:1f3a9c0e", "service-corpus:0b77d2a4";
// the digits hash eval::SettingsFingerprint (every setting, defaults filled in, and the
// seed) and, for COMMAND, the command line. Scores are cached by candidate hash and this
// name, so changing the budget, the tasks, the seed or the command means new scores.
// An answer's score: OK with a finite quality is a score; DIVERGED, FAILED, no outcome or a
// non-finite quality is a failure with its reason; the whole EvaluationResult (settings as
// used, seed, per-task scores, curves) is kept as the metrics JSON either way.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "proto/evaluator.pb.h"
#include "proto/search_space.pb.h"
#include "star/quality_evaluator.h"

namespace nas::star {

// The space's evaluator.training, with the mode set to MAD or CORPUS for those kinds.
eval::EvaluationSettings TrainingSettings(const Evaluator& evaluator);

std::string TrainedEvaluatorName(const Evaluator& evaluator);

// evaluator.timeout_seconds, or kDefaultEvaluationTimeoutSeconds when 0.
std::chrono::seconds EvaluationTimeout(const Evaluator& evaluator);

// The request for a candidate; its id is "<candidate hash>/<evaluator name>".
eval::EvaluateRequest MakeEvaluateRequest(const eval::EvaluationSettings& settings, uint64_t seed,
                                          const QualityJob& job,
                                          const std::string& evaluator_name);

QualityScore ScoreFromResult(const eval::EvaluationResult& result);

// A failed evaluation's reason from a status: "INVALID_ARGUMENT: spec.layers[2]...".
std::string DescribeStatus(const absl::Status& status);

// A message as one JSON object with the .proto field names (the external command's
// protocol and the stored metrics).
std::string ToJson(const google::protobuf::Message& message);

// What every trained evaluator sends: the same settings and seed for every candidate, a
// per-candidate deadline, and its name.
struct TrainingConfig {
  std::string name;                   // TrainedEvaluatorName
  eval::EvaluationSettings settings;  // TrainingSettings (kind CORPUS: path resolved)
  uint64_t seed = 0;
  std::chrono::seconds timeout{kDefaultEvaluationTimeoutSeconds};
};

TrainingConfig TrainingConfigOf(const Evaluator& evaluator);

// The base of the trained evaluators: its name, never a proxy, and its requests.
class TrainedEvaluator : public QualityEvaluator {
 public:
  explicit TrainedEvaluator(TrainingConfig config) : config_(std::move(config)) {}
  std::string name() const override { return config_.name; }
  bool is_proxy() const override { return false; }

 protected:
  eval::EvaluateRequest Request(const QualityJob& job) const {
    return MakeEvaluateRequest(config_.settings, config_.seed, job, config_.name);
  }

  const TrainingConfig config_;
};

}  // namespace nas::star
