#include "star/local_evaluator.h"

#include "absl/strings/str_format.h"
#include "evaluator/evaluate_guarded.h"
#include "star/cancel_watch.h"
#include "star/trained_quality.h"

namespace nas::star {
namespace {

using Clock = std::chrono::steady_clock;

std::string ProgressLine(const std::string& label, const eval::TrainingProgress& p) {
  std::string line = absl::StrFormat("training %s: %s lr=%g run %d/%d step %d/%d", label,
                                     p.task, p.learning_rate, p.run + 1, p.runs, p.step, p.steps);
  if (p.run_finished) return line + absl::StrFormat(" done, accuracy %.4f", p.accuracy);
  return line + absl::StrFormat(" loss %.4f", p.loss);
}

class LocalEvaluator : public TrainedEvaluator {
 public:
  LocalEvaluator(TrainingConfig config, eval::EvaluateFn trainer)
      : TrainedEvaluator(std::move(config)), trainer_(std::move(trainer)) {}

  absl::StatusOr<QualityScore> Evaluate(const QualityJob& job,
                                        const QualityContext& context) override {
    const eval::EvaluateRequest request = Request(job);
    std::atomic<bool> cancel{false};
    eval::EvaluateOptions options;
    options.cancel = &cancel;
    if (context.on_progress) {
      options.progress = [&](const eval::TrainingProgress& p) {
        context.on_progress(ProgressLine(job.label, p));
      };
    }
    const auto deadline = Clock::now() + config_.timeout;
    bool timed_out = false;
    absl::StatusOr<eval::EvaluationResult> result;
    {
      CancelWatch watch(
          [&] {
            if (context.stop != nullptr && context.stop->load()) return true;
            timed_out = Clock::now() > deadline;
            return timed_out;
          },
          [&] { cancel.store(true); });
      result = eval::EvaluateGuarded(trainer_, request, options);
    }
    if (result.ok()) return ScoreFromResult(*result);
    if (context.stop != nullptr && context.stop->load()) {
      return absl::CancelledError("stopped during the evaluation");
    }
    QualityScore failed;
    failed.failure = timed_out ? absl::StrFormat("timed out after %d s (evaluator.timeout_seconds)",
                                                 config_.timeout.count())
                               : DescribeStatus(result.status());
    return failed;
  }

 private:
  const eval::EvaluateFn trainer_;
};

}  // namespace

std::unique_ptr<QualityEvaluator> MakeLocalEvaluator(TrainingConfig config,
                                                     eval::EvaluateFn trainer) {
  return std::make_unique<LocalEvaluator>(std::move(config), std::move(trainer));
}

}  // namespace nas::star
