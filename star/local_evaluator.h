// Quality kinds MAD and CORPUS: the candidate is trained in this process by the injected
// trainer (QualityEvaluatorDeps::local, i.e. nas::eval::Evaluate), one at a time, with the
// space's training settings (mode forced to the kind) and evaluator.seed. Training
// progress goes to the context's on_progress as one line ("training 1f3a9c0e: in_context_
// recall lr=0.003 run 1/6 step 100/300 loss 2.3141"). The trainer is cancelled when the
// campaign stops (the evaluation ends Cancelled and is redone on resume) or the
// per-candidate deadline passes (a failed evaluation: "timed out after N s"). Any error or
// exception of the trainer is a failed evaluation with its message. One campaign thread.
#pragma once

#include <memory>

#include "evaluator/evaluate.h"
#include "star/trained_quality.h"

namespace nas::star {

std::unique_ptr<QualityEvaluator> MakeLocalEvaluator(TrainingConfig config,
                                                     eval::EvaluateFn trainer);

}  // namespace nas::star
