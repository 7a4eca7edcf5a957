#include "star/command_evaluator.h"

#include <signal.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "device-agent/child_process.h"
#include "google/protobuf/util/json_util.h"
#include "star/cancel_watch.h"
#include "star/trained_quality.h"

namespace nas::star {
namespace {

constexpr int kStderrLines = 8;
constexpr size_t kStdoutExcerpt = 200;

// The last lines of the command's stderr, for a failure's reason ("" when it printed none).
std::string StderrTail(const std::string& err) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(err), '\n', absl::SkipEmpty());
  if (lines.empty()) return "";
  if (lines.size() > kStderrLines) lines.erase(lines.begin(), lines.end() - kStderrLines);
  return absl::StrCat("; its stderr ended: ", absl::StrJoin(lines, " | "));
}

class CommandEvaluator : public TrainedEvaluator {
 public:
  CommandEvaluator(TrainingConfig config, std::string command)
      : TrainedEvaluator(std::move(config)), command_(std::move(command)) {}

  absl::StatusOr<QualityScore> Evaluate(const QualityJob& job,
                                        const QualityContext& context) override {
    const std::string input = ToJson(Request(job));
    if (context.on_progress) {
      context.on_progress(absl::StrCat("training ", job.label, " with evaluator.command"));
    }
    agent::ChildProcess child;
    agent::ChildLimits limits;
    limits.deadline = config_.timeout;
    limits.poll_interval = std::chrono::milliseconds(20);
    absl::StatusOr<agent::ChildResult> run;
    {
      CancelWatch watch([&] { return context.stop != nullptr && context.stop->load(); },
                        [&] { child.Cancel(); });
      run = child.Run({"/bin/sh", "-c", command_}, input, limits);
    }
    if (!run.ok()) return run.status();  // could not start a process at all
    const std::string who = absl::StrCat("evaluator.command \"", command_, "\"");
    QualityScore failed;
    switch (run->killed_for) {
      case agent::KillReason::kCancelled:
        return absl::CancelledError("stopped during the evaluation");
      case agent::KillReason::kDeadline:
        failed.failure = absl::StrCat(who, ": killed after the ", config_.timeout.count(),
                                      " s timeout (evaluator.timeout_seconds)",
                                      StderrTail(run->err));
        return failed;
      default:
        break;
    }
    if (run->signal != 0) {
      failed.failure = absl::StrCat(who, ": killed by signal ", run->signal, " (",
                                    strsignal(run->signal), ")", StderrTail(run->err));
      return failed;
    }
    if (run->exit_code != 0) {
      failed.failure =
          absl::StrCat(who, ": exited with status ", run->exit_code, StderrTail(run->err));
      return failed;
    }
    eval::EvaluationResult result;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    const auto parsed = google::protobuf::util::JsonStringToMessage(run->out, &result, options);
    if (!parsed.ok()) {
      const std::string excerpt(absl::StripAsciiWhitespace(run->out).substr(0, kStdoutExcerpt));
      failed.failure = absl::StrCat(who, ": printed no EvaluationResult JSON on stdout (",
                                    parsed.ToString(), "); stdout began: \"",
                                    absl::CEscape(excerpt), "\"", StderrTail(run->err));
      return failed;
    }
    return ScoreFromResult(result);
  }

 private:
  const std::string command_;
};

}  // namespace

std::unique_ptr<QualityEvaluator> MakeCommandEvaluator(TrainingConfig config,
                                                       std::string command) {
  return std::make_unique<CommandEvaluator>(std::move(config), std::move(command));
}

}  // namespace nas::star
