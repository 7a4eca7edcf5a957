#include "star/quality_evaluator.h"

#include "absl/strings/str_cat.h"
#include "star/proxy_quality.h"

namespace nas::star {
namespace {

class ProxyEvaluator : public QualityEvaluator {
 public:
  explicit ProxyEvaluator(double reference_parameters)
      : reference_parameters_(reference_parameters) {}
  std::string name() const override { return kProxyEvaluatorName; }
  bool is_proxy() const override { return true; }
  absl::StatusOr<QualityScore> Evaluate(const ArchSpec& spec) override {
    const double q = ProxyQuality(spec, reference_parameters_);
    return QualityScore{q, absl::StrCat("{\"proxy\":", q, ",\"reference_parameters\":",
                                        reference_parameters_, "}")};
  }

 private:
  double reference_parameters_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<QualityEvaluator>> MakeQualityEvaluator(const SearchSpace& space) {
  switch (space.evaluator().kind()) {
    case Evaluator::PROXY: {
      // The capacity term's scale: the budget's ceiling, else a generous 1e9 parameters.
      const double scale = space.budgets().max_parameters() > 0
                               ? static_cast<double>(space.budgets().max_parameters())
                               : 1e9;
      return std::make_unique<ProxyEvaluator>(scale);
    }
    default:
      return absl::UnimplementedError(absl::StrCat(
          "evaluator.kind: ", Evaluator::Kind_Name(space.evaluator().kind()),
          " is not available yet (it arrives with the evaluator component); use PROXY"));
  }
}

std::string QualityEvaluatorName(const SearchSpace& space) {
  if (space.evaluator().kind() == Evaluator::PROXY) return kProxyEvaluatorName;
  return absl::StrCat("evaluator:", Evaluator::Kind_Name(space.evaluator().kind()));
}

}  // namespace nas::star
