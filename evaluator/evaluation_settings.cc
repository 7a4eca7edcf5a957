#include "evaluator/evaluation_settings.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::eval {
namespace {

absl::Status Error(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

std::string At(const std::string& path, int i) { return absl::StrCat(path, "[", i, "]"); }

bool Finite(double x) { return std::isfinite(x); }

// The shortest text that reads back as exactly `x` (absl::StrCat keeps 6 digits, which
// would give distinct settings one fingerprint).
std::string Exact(double x) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), x);
  return std::string(buffer, end);
}

// The steps a run takes: the budget's, or the default.
uint32_t EffectiveSteps(const TrainingBudget& b) {
  return b.steps() != 0 ? b.steps() : kDefaultSteps;
}

}  // namespace

EvaluationSettings WithDefaults(const EvaluationSettings& settings) {
  EvaluationSettings s = settings;
  if (s.mode() == EvaluationSettings::MODE_UNSPECIFIED) s.set_mode(EvaluationSettings::MAD);
  if (s.mode() == EvaluationSettings::MAD && s.tasks_size() == 0) {
    for (TaskKind kind : kAllTaskKinds) s.add_tasks(std::string(TaskName(kind)));
  }
  if (s.mode() == EvaluationSettings::CORPUS) {
    if (!s.has_validation_fraction()) s.set_validation_fraction(kDefaultValidationFraction);
    if (s.corpus_seq_len() == 0) s.set_corpus_seq_len(kDefaultCorpusSeqLen);
  }
  TrainingBudget& b = *s.mutable_budget();
  if (b.steps() == 0) b.set_steps(kDefaultSteps);
  if (b.batch_size() == 0) b.set_batch_size(kDefaultBatchSize);
  if (b.learning_rates_size() == 0) b.add_learning_rates(kDefaultLearningRate);
  if (!b.has_weight_decay()) b.set_weight_decay(kDefaultWeightDecay);
  if (b.warmup_steps() == 0) {
    b.set_warmup_steps(std::min<uint32_t>(kDefaultWarmupSteps, b.steps()));
  }
  if (!b.has_grad_clip()) b.set_grad_clip(kDefaultGradClip);
  if (b.eval_examples() == 0) b.set_eval_examples(kDefaultEvalExamples);
  if (b.log_every() == 0) b.set_log_every(kDefaultLogEvery);
  return s;
}

absl::Status ValidateSettings(const EvaluationSettings& settings, const std::string& path) {
  if (!EvaluationSettings::Mode_IsValid(settings.mode())) {
    return Error(path + ".mode", absl::StrCat(static_cast<int>(settings.mode()), " is not a mode"));
  }
  const bool corpus = settings.mode() == EvaluationSettings::CORPUS;
  for (int i = 0; i < settings.tasks_size(); ++i) {
    if (corpus) return Error(At(path + ".tasks", i), "CORPUS mode takes no MAD tasks");
    auto kind = ParseTaskKind(settings.tasks(i));
    if (!kind.ok()) return Error(At(path + ".tasks", i), std::string(kind.status().message()));
    for (int j = 0; j < i; ++j) {
      if (settings.tasks(j) == settings.tasks(i)) {
        return Error(At(path + ".tasks", i),
                     absl::StrCat("\"", settings.tasks(i), "\" is already ", At("tasks", j)));
      }
    }
  }
  if (corpus) {
    if (settings.corpus_path().empty()) {
      return Error(path + ".corpus_path", "CORPUS needs a text file");
    }
    if (settings.full_protocol()) return Error(path + ".full_protocol", "only MAD has a protocol");
    if (settings.seq_len() != 0) {
      return Error(path + ".seq_len", "CORPUS mode uses corpus_seq_len");
    }
    if (settings.has_validation_fraction()) {
      const double f = settings.validation_fraction();
      if (!(f > 0 && f < 1)) {
        return Error(path + ".validation_fraction", absl::StrCat("must be in (0, 1), got ", f));
      }
    }
    if (settings.corpus_seq_len() == 1 || settings.corpus_seq_len() > 65536) {
      return Error(path + ".corpus_seq_len",
                   absl::StrCat("must be in [2, 65536], got ", settings.corpus_seq_len()));
    }
  } else {
    if (!settings.corpus_path().empty()) {
      return Error(path + ".corpus_path", "only CORPUS mode reads a corpus");
    }
    if (settings.has_validation_fraction() || settings.corpus_seq_len() != 0) {
      return Error(path + (settings.corpus_seq_len() != 0 ? ".corpus_seq_len" : ".validation_fraction"),
                   "only CORPUS mode has a corpus");
    }
    if (settings.seq_len() == 1 || settings.seq_len() > 65536) {
      return Error(path + ".seq_len", absl::StrCat("must be 0 (the task's own) or in [2, 65536], got ",
                                                   settings.seq_len()));
    }
  }
  const TrainingBudget& b = settings.budget();
  const std::string bp = path + ".budget";
  if (b.steps() > 10'000'000) return Error(bp + ".steps", absl::StrCat("at most 10000000, got ", b.steps()));
  if (b.batch_size() > 65536) {
    return Error(bp + ".batch_size", absl::StrCat("at most 65536, got ", b.batch_size()));
  }
  for (int i = 0; i < b.learning_rates_size(); ++i) {
    const double lr = b.learning_rates(i);
    if (!(Finite(lr) && lr > 0 && lr < 10)) {
      return Error(At(bp + ".learning_rates", i), absl::StrCat("must be in (0, 10), got ", lr));
    }
  }
  if (b.learning_rates_size() > 16) {
    return Error(bp + ".learning_rates", absl::StrCat("at most 16 rates, got ", b.learning_rates_size()));
  }
  if (b.has_weight_decay() && !(Finite(b.weight_decay()) && b.weight_decay() >= 0)) {
    return Error(bp + ".weight_decay", absl::StrCat("must be >= 0, got ", b.weight_decay()));
  }
  if (b.has_grad_clip() && !(Finite(b.grad_clip()) && b.grad_clip() >= 0)) {
    return Error(bp + ".grad_clip", absl::StrCat("must be >= 0 (0 = off), got ", b.grad_clip()));
  }
  if (b.warmup_steps() > EffectiveSteps(b)) {
    return Error(bp + ".warmup_steps",
                 absl::StrCat(b.warmup_steps(), " exceeds steps (", EffectiveSteps(b), ")"));
  }
  if (b.eval_examples() > 1'000'000) {
    return Error(bp + ".eval_examples", absl::StrCat("at most 1000000, got ", b.eval_examples()));
  }
  if (b.threads() > 1024) return Error(bp + ".threads", absl::StrCat("at most 1024, got ", b.threads()));
  if (!corpus) {
    // The task names are valid, so only the seq_len override can make a plan fail.
    auto plans = PlanMadTasks(WithDefaults(settings));
    if (!plans.ok()) return Error(path + ".seq_len", std::string(plans.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MadTaskPlan>> PlanMadTasks(const EvaluationSettings& settings) {
  std::vector<MadTaskPlan> plans;
  for (const std::string& name : settings.tasks()) {
    auto kind = ParseTaskKind(name);
    if (!kind.ok()) return kind.status();
    MadTaskPlan plan{*kind, {}};
    plan.settings = settings.full_protocol() ? ProtocolSettings(*kind)
                                             : std::vector<TaskSettings>{BaselineSettings(*kind)};
    if (settings.seq_len() != 0) plan.settings.front().seq_len = static_cast<int>(settings.seq_len());
    for (const TaskSettings& s : plan.settings) {
      if (auto status = ValidateTaskSettings(s); !status.ok()) return status;
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

std::string SettingsFingerprint(const EvaluationSettings& settings, uint64_t seed) {
  const EvaluationSettings s = WithDefaults(settings);
  const TrainingBudget& b = s.budget();
  std::string out = absl::StrCat(EvaluationSettings::Mode_Name(s.mode()), " seed=", seed);
  if (s.mode() == EvaluationSettings::CORPUS) {
    absl::StrAppend(&out, " corpus=", s.corpus_path(), " val=", Exact(s.validation_fraction()),
                    " seq=", s.corpus_seq_len());
  } else {
    absl::StrAppend(&out, " tasks=", absl::StrJoin(s.tasks(), ","),
                    s.full_protocol() ? " protocol=full" : " protocol=baseline");
    if (s.seq_len() != 0) absl::StrAppend(&out, " seq=", s.seq_len());
  }
  const auto exact = [](std::string* text, double x) { text->append(Exact(x)); };
  absl::StrAppend(&out, " steps=", b.steps(), " batch=", b.batch_size(),
                  " lr=", absl::StrJoin(b.learning_rates(), ",", exact),
                  " wd=", Exact(b.weight_decay()), " warmup=", b.warmup_steps(),
                  " clip=", Exact(b.grad_clip()), " eval=", b.eval_examples());
  return out;
}

}  // namespace nas::eval
