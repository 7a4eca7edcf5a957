#include "star/quality_evaluator.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "star/command_evaluator.h"
#include "star/local_evaluator.h"
#include "star/proxy_quality.h"
#include "star/search_space.h"
#include "star/service_evaluator.h"
#include "star/trained_quality.h"

namespace nas::star {
namespace {

class ProxyEvaluator : public QualityEvaluator {
 public:
  explicit ProxyEvaluator(double reference_parameters)
      : reference_parameters_(reference_parameters) {}
  std::string name() const override { return kProxyEvaluatorName; }
  bool is_proxy() const override { return true; }
  absl::StatusOr<QualityScore> Evaluate(const QualityJob& job, const QualityContext&) override {
    const double q = ProxyQuality(job.spec, reference_parameters_);
    QualityScore score;
    score.quality = q;
    score.metrics_json = absl::StrCat("{\"proxy\":", q, ",\"reference_parameters\":",
                                      reference_parameters_, "}");
    return score;
  }

 private:
  double reference_parameters_;
};

}  // namespace

void QualityEvaluator::EvaluateBatch(
    const std::vector<QualityJob>& jobs, const QualityContext& context,
    const std::function<void(size_t, const absl::StatusOr<QualityScore>&)>& on_result) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (context.stop != nullptr && context.stop->load()) {
      on_result(i, absl::CancelledError("stopped"));
      continue;
    }
    on_result(i, Evaluate(jobs[i], context));
  }
}

absl::StatusOr<std::unique_ptr<QualityEvaluator>> MakeQualityEvaluator(
    const SearchSpace& space, const QualityEvaluatorDeps& deps, const std::string& space_path) {
  const Evaluator& e = space.evaluator();
  switch (e.kind()) {
    case Evaluator::KIND_UNSPECIFIED:
      return nullptr;
    case Evaluator::PROXY: {
      // The capacity term's scale: the budget's ceiling, else a generous 1e9 parameters.
      const double scale = space.budgets().max_parameters() > 0
                               ? static_cast<double>(space.budgets().max_parameters())
                               : 1e9;
      return std::make_unique<ProxyEvaluator>(scale);
    }
    case Evaluator::MAD:
    case Evaluator::CORPUS: {
      if (!deps.local) {
        return absl::UnimplementedError(absl::StrCat(
            "evaluator.kind: ", Evaluator::Kind_Name(e.kind()),
            " trains in this process, but this build has no in-process evaluator (it needs "
            "libtorch); use kind SERVICE (`evaluator serve` on a machine that has it) or "
            "COMMAND"));
      }
      TrainingConfig config = TrainingConfigOf(e);
      if (e.kind() == Evaluator::CORPUS) {
        const std::string path = ResolveSpacePath(space_path, config.settings.corpus_path());
        if (!std::filesystem::is_regular_file(path)) {
          return absl::NotFoundError(
              absl::StrCat("evaluator.training.corpus_path: no such file \"", path, "\""));
        }
        config.settings.set_corpus_path(path);
      }
      return MakeLocalEvaluator(std::move(config), deps.local);
    }
    case Evaluator::SERVICE:
      return MakeServiceEvaluator(TrainingConfigOf(e), {e.addresses().begin(), e.addresses().end()},
                                  deps.service);
    case Evaluator::COMMAND:
      return MakeCommandEvaluator(TrainingConfigOf(e), e.command());
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "evaluator.kind: ", static_cast<int>(e.kind()), " is not a kind"));
  }
}

std::string QualityEvaluatorName(const SearchSpace& space) {
  switch (space.evaluator().kind()) {
    case Evaluator::KIND_UNSPECIFIED:
      return "";
    case Evaluator::PROXY:
      return kProxyEvaluatorName;
    default:
      return TrainedEvaluatorName(space.evaluator());
  }
}

}  // namespace nas::star
