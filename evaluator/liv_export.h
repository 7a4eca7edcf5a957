// The numerical tie between training and measuring: a TorchModel's parameters copied into
// the runtime's weights (f32, by WeightLayout name, row-major [out, in] as both store
// them), and back. What the evaluator trained is then exactly what liv runs and the agents
// measure; the tests hold liv's logits to libtorch's on the same tokens.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "evaluator/torch_model.h"
#include "liv/runtime/session.h"

namespace nas::eval {

// A liv Model of the torch model's spec with f32 weights equal to its parameters.
absl::StatusOr<std::shared_ptr<liv::Model>> ExportToLiv(const TorchModel& model);

// Overwrites the torch model's parameters with the f32 weights of a liv model of the
// same spec (FailedPrecondition when a tensor is missing, not f32 or differently shaped).
absl::Status ImportFromLiv(liv::Model& source, TorchModel& model);

}  // namespace nas::eval
