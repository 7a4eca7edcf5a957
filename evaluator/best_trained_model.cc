#include "evaluator/best_trained_model.h"

#include "evaluator/liv_export.h"
#include "evaluator/torch_model.h"

namespace nas::eval {

bool BestTrainedModel::Beats(const TrainingRun& run) const {
  if (model_ == nullptr) return true;
  if (run.task() == "corpus") return run.validation_loss() < run_.validation_loss();
  return run.accuracy() > run_.accuracy();
}

void BestTrainedModel::Offer(const TrainingRun& run, TorchModel& model) {
  if (!status_.ok() || !Beats(run)) return;
  auto exported = ExportToLiv(model);
  if (!exported.ok()) {
    status_ = exported.status();
    return;
  }
  model_ = *std::move(exported);
  run_ = run;
}

}  // namespace nas::eval
