// Calling an injected trainer (EvaluateFn, evaluate.h) so that nothing escapes as an
// exception: libtorch reports errors by throwing (c10::Error), and neither the service nor
// the coordinator may die of one. Header-only, torch-free; thread-safe as the trainer is.
#pragma once

#include <exception>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "evaluator/evaluate.h"

namespace nas::eval {

// The trainer's answer; an exception becomes INTERNAL "the evaluation threw: WHAT".
inline absl::StatusOr<EvaluationResult> EvaluateGuarded(const EvaluateFn& evaluate,
                                                        const EvaluateRequest& request,
                                                        const EvaluateOptions& options) {
  try {
    return evaluate(request, options);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("the evaluation threw: ", e.what()));
  } catch (...) {
    return absl::InternalError("the evaluation threw an unknown exception");
  }
}

}  // namespace nas::eval
