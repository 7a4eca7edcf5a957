#include "star/trained_quality.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/fnv1a.h"
#include "evaluator/evaluation_settings.h"
#include "google/protobuf/util/json_util.h"
#include "star/canonical.h"

namespace nas::star {

eval::EvaluationSettings TrainingSettings(const Evaluator& evaluator) {
  eval::EvaluationSettings settings = evaluator.training();
  if (evaluator.kind() == Evaluator::MAD) settings.set_mode(eval::EvaluationSettings::MAD);
  if (evaluator.kind() == Evaluator::CORPUS) settings.set_mode(eval::EvaluationSettings::CORPUS);
  return settings;
}

std::string TrainedEvaluatorName(const Evaluator& evaluator) {
  const eval::EvaluationSettings settings = eval::WithDefaults(TrainingSettings(evaluator));
  std::string fingerprint = eval::SettingsFingerprint(settings, evaluator.seed());
  if (evaluator.kind() == Evaluator::COMMAND) {
    absl::StrAppend(&fingerprint, " command=", evaluator.command());
  }
  const std::string kind = absl::AsciiStrToLower(Evaluator::Kind_Name(evaluator.kind()));
  const std::string mode =
      absl::AsciiStrToLower(eval::EvaluationSettings::Mode_Name(settings.mode()));
  // FNV's top digits barely depend on the last bytes of its input (a longer command, a
  // larger step count at the end of the text): hashing the hash mixes them in.
  return absl::StrCat(kind, kind == mode ? "" : "-" + mode, ":",
                      Fnv1a128Hex(Fnv1a128Hex(fingerprint)).substr(0, 8));
}

TrainingConfig TrainingConfigOf(const Evaluator& evaluator) {
  return {TrainedEvaluatorName(evaluator), TrainingSettings(evaluator), evaluator.seed(),
          EvaluationTimeout(evaluator)};
}

std::chrono::seconds EvaluationTimeout(const Evaluator& evaluator) {
  return std::chrono::seconds(evaluator.timeout_seconds() > 0 ? evaluator.timeout_seconds()
                                                              : kDefaultEvaluationTimeoutSeconds);
}

eval::EvaluateRequest MakeEvaluateRequest(const eval::EvaluationSettings& settings, uint64_t seed,
                                          const QualityJob& job,
                                          const std::string& evaluator_name) {
  eval::EvaluateRequest request;
  *request.mutable_spec() = job.spec;
  *request.mutable_settings() = settings;
  request.set_seed(seed);
  request.set_request_id(absl::StrCat(job.hash, "/", evaluator_name));
  return request;
}

QualityScore ScoreFromResult(const eval::EvaluationResult& result) {
  QualityScore score;
  score.metrics_json = ToJson(result);
  switch (result.outcome()) {
    case eval::EvaluationResult::OK:
      if (std::isfinite(result.quality())) {
        score.quality = result.quality();
      } else {
        score.failure = absl::StrCat("the evaluator returned a non-finite quality (",
                                     result.quality(), ")");
      }
      break;
    case eval::EvaluationResult::DIVERGED:
      score.failure = result.failure().empty() ? "diverged (the training loss became NaN)"
                                               : absl::StrCat("diverged: ", result.failure());
      break;
    case eval::EvaluationResult::FAILED:
      score.failure = absl::StrCat(
          "failed: ", result.failure().empty() ? "no reason given" : result.failure());
      break;
    default:
      score.failure = "the evaluator's result has no outcome";
      break;
  }
  return score;
}

std::string DescribeStatus(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace nas::star
