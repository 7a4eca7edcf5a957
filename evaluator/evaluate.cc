#include "evaluator/evaluate.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>

#include <torch/torch.h>
#include <torch/version.h>

#include "absl/strings/str_cat.h"
#include "base/splitmix64.h"
#include "base/status_macros.h"
#include "evaluator/byte_corpus.h"
#include "evaluator/trainer.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/model/weight_layout.h"

namespace nas::eval {
namespace {

// Independent seeds for each part of an evaluation, from the request's seed.
uint64_t DerivedSeed(uint64_t seed, uint64_t a, uint64_t b) {
  return SplitMix64(SplitMix64(SplitMix64(seed) ^ a) ^ b);
}
constexpr uint64_t kDataStream = 1, kInitStream = 2;

RunConfig ConfigOf(const TrainingBudget& b, double learning_rate, uint64_t init_seed) {
  RunConfig c;
  c.steps = static_cast<int>(b.steps());
  c.batch_size = static_cast<int>(b.batch_size());
  c.learning_rate = learning_rate;
  c.weight_decay = b.weight_decay();
  c.warmup_steps = static_cast<int>(b.warmup_steps());
  c.grad_clip = b.grad_clip();
  c.log_every = static_cast<int>(b.log_every());
  c.eval_examples = static_cast<int>(b.eval_examples());
  c.init_seed = init_seed;
  return c;
}

// Where the runs of an evaluation stand, for progress reports.
struct RunCounter {
  int index = 0;
  int total = 0;
};

// One labelled run at one learning rate, with its progress reported.
absl::StatusOr<TrainingRun> LabelledRun(const ArchSpec& spec, const TrainingData& data,
                                        const TrainingBudget& budget, double lr,
                                        uint64_t init_seed, const std::string& task,
                                        const std::string& description, RunCounter& counter,
                                        const EvaluateOptions& options) {
  TrainingProgress p{task, description, lr, counter.index, counter.total, 0,
                     static_cast<int>(budget.steps())};
  const auto report = [&](const RunProgress& rp) {
    if (!options.progress) return;
    p.step = rp.step;
    p.loss = rp.loss;
    options.progress(p);
  };
  const auto trained = [&](const TrainingRun& scored, TorchModel& model) {
    if (!options.trained) return;
    TrainingRun labelled = scored;
    labelled.set_task(task);
    labelled.set_setting(description);
    options.trained(labelled, model);
  };
  NAS_ASSIGN_OR_RETURN(TrainingRun run, TrainAndScore(spec, data, ConfigOf(budget, lr, init_seed),
                                                      report, options.cancel, trained));
  run.set_task(task);
  run.set_setting(description);
  if (options.progress) {
    p.step = run.curve_size() > 0 ? static_cast<int>(run.curve().rbegin()->step()) : 0;
    p.loss = run.final_train_loss();
    p.run_finished = true;
    p.accuracy = run.accuracy();
    options.progress(p);
  }
  ++counter.index;
  return run;
}

// Runs every task setting at every learning rate; a task scores the mean over its
// settings of the best accuracy over the learning rates.
absl::Status EvaluateMad(const EvaluateRequest& request, const EvaluationSettings& settings,
                         const EvaluateOptions& options, EvaluationResult& result) {
  NAS_ASSIGN_OR_RETURN(std::vector<MadTaskPlan> plans, PlanMadTasks(settings));
  const TrainingBudget& budget = settings.budget();
  RunCounter counter;
  for (const MadTaskPlan& plan : plans) {
    counter.total += plan.settings.size() * budget.learning_rates_size();
  }
  double quality = 0;
  std::string diverged;
  for (const MadTaskPlan& plan : plans) {
    const std::string task(TaskName(plan.kind));
    double task_sum = 0;
    for (size_t s = 0; s < plan.settings.size(); ++s) {
      const TaskSettings& ts = plan.settings[s];
      const uint64_t part = static_cast<uint64_t>(plan.kind) * 1000 + s;
      NAS_ASSIGN_OR_RETURN(TaskGenerator generator,
                           TaskGenerator::Create(ts, DerivedSeed(request.seed(), kDataStream, part)));
      const MadTaskData data(std::move(generator));
      ArchSpec spec = request.spec();
      spec.set_vocab_size(static_cast<uint32_t>(ts.vocab_size));
      double best = -1;
      for (double lr : budget.learning_rates()) {
        NAS_ASSIGN_OR_RETURN(
            TrainingRun run,
            LabelledRun(spec, data, budget, lr, DerivedSeed(request.seed(), kInitStream, part), task,
                        DescribeTaskSettings(ts), counter, options));
        if (!run.diverged()) best = std::max(best, run.accuracy());
        *result.add_runs() = std::move(run);
      }
      if (best < 0 && diverged.empty()) diverged = DescribeTaskSettings(ts);
      task_sum += std::max(best, 0.0);
    }
    TaskScore* score = result.add_tasks();
    score->set_task(task);
    score->set_accuracy(task_sum / plan.settings.size());
    quality += score->accuracy();
  }
  if (!diverged.empty()) {
    result.set_outcome(EvaluationResult::DIVERGED);
    result.set_failure(absl::StrCat("training diverged (NaN or infinite loss) at every learning "
                                    "rate on ", diverged));
    return absl::OkStatus();
  }
  result.set_outcome(EvaluationResult::OK);
  result.set_quality(quality / plans.size());
  return absl::OkStatus();
}

// The corpus as training data: random training windows, consecutive validation windows.
class CorpusData : public TrainingData {
 public:
  CorpusData(ByteCorpus corpus, uint64_t seed) : corpus_(std::move(corpus)), seed_(seed) {}
  absl::StatusOr<Batch> TrainBatch(int64_t step, int batch_size) const override {
    return corpus_.TrainBatch(seed_, step, batch_size);
  }
  absl::StatusOr<Batch> EvalBatch(int64_t first, int count) const override {
    return corpus_.ValidationBatch(first, count);
  }
  int64_t num_eval_examples() const override { return corpus_.num_validation_windows(); }

 private:
  ByteCorpus corpus_;
  uint64_t seed_;
};

// One run per learning rate on the corpus (256 byte tokens); the lowest validation loss
// counts: quality = 1 / perplexity.
absl::Status EvaluateCorpus(const EvaluateRequest& request, const EvaluationSettings& settings,
                            const EvaluateOptions& options, EvaluationResult& result) {
  NAS_ASSIGN_OR_RETURN(ByteCorpus corpus,
                       ByteCorpus::Load(settings.corpus_path(), settings.validation_fraction(),
                                        static_cast<int>(settings.corpus_seq_len())));
  const std::string description = corpus.Describe();
  const CorpusData data(std::move(corpus), DerivedSeed(request.seed(), kDataStream, 0));
  ArchSpec spec = request.spec();
  spec.set_vocab_size(ByteCorpus::kVocabSize);
  const TrainingBudget& budget = settings.budget();
  RunCounter counter{0, budget.learning_rates_size()};
  double best = std::numeric_limits<double>::infinity();
  for (double lr : budget.learning_rates()) {
    NAS_ASSIGN_OR_RETURN(TrainingRun run,
                         LabelledRun(spec, data, budget, lr,
                                     DerivedSeed(request.seed(), kInitStream, 0), "corpus",
                                     description, counter, options));
    if (!run.diverged()) best = std::min(best, run.validation_loss());
    *result.add_runs() = std::move(run);
  }
  if (!std::isfinite(best)) {
    result.set_outcome(EvaluationResult::DIVERGED);
    result.set_failure(absl::StrCat("training diverged (NaN or infinite loss) at every learning "
                                    "rate on ", description));
    return absl::OkStatus();
  }
  result.set_outcome(EvaluationResult::OK);
  result.set_validation_loss(best);
  result.set_perplexity(std::exp(best));
  result.set_quality(std::exp(-best));
  return absl::OkStatus();
}

}  // namespace

std::string EvaluatorDescription(int threads) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat("libtorch ", TORCH_VERSION_MAJOR, ".", TORCH_VERSION_MINOR, ".",
                      TORCH_VERSION_PATCH, ", ", threads, " threads, host ", host);
}

absl::StatusOr<EvaluationResult> Evaluate(const EvaluateRequest& request,
                                          const EvaluateOptions& options) {
  if (absl::Status s = liv::ValidateArchSpec(request.spec()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("spec.", s.message()));
  }
  NAS_RETURN_IF_ERROR(ValidateSettings(request.settings(), "settings"));
  const EvaluationSettings settings = WithDefaults(request.settings());
  const int threads = ConfigureTorchThreads(static_cast<int>(settings.budget().threads()));
  const auto start = std::chrono::steady_clock::now();
  EvaluationResult result;
  *result.mutable_settings() = settings;
  result.set_seed(request.seed());
  result.set_parameters(liv::CountParameters(request.spec()));
  result.set_evaluator(EvaluatorDescription(threads));
  if (settings.mode() == EvaluationSettings::CORPUS) {
    NAS_RETURN_IF_ERROR(EvaluateCorpus(request, settings, options, result));
  } else {
    NAS_RETURN_IF_ERROR(EvaluateMad(request, settings, options, result));
  }
  result.set_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

}  // namespace nas::eval
