#include "evaluator/liv_export.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace nas::eval {
namespace {

// The torch parameter of a layout tensor as a contiguous float tensor of rows x cols.
absl::StatusOr<torch::Tensor> Parameter(const TorchModel& model, const liv::TensorShape& t) {
  torch::Tensor p = model.tensor(t.name);
  if (!p.defined() || p.numel() != static_cast<int64_t>(t.elements()) ||
      p.scalar_type() != torch::kFloat32) {
    return absl::FailedPreconditionError(
        absl::StrCat("tensor ", t.name, ": missing or not ", t.rows, "x", t.cols, " f32 in torch"));
  }
  return p;
}

}  // namespace

absl::StatusOr<std::shared_ptr<liv::Model>> ExportToLiv(const TorchModel& model) {
  NAS_ASSIGN_OR_RETURN(std::shared_ptr<liv::Model> out,
                       liv::Model::CreateRandom(model.spec(), liv::WeightType::kF32, 0));
  torch::NoGradGuard no_grad;
  for (const liv::TensorShape& t : model.layout()) {
    NAS_ASSIGN_OR_RETURN(torch::Tensor p, Parameter(model, t));
    float* dst = out->mutable_weights().mutable_tensor(t.name);
    if (dst == nullptr) {
      return absl::InternalError(absl::StrCat("tensor ", t.name, ": not f32 in the liv model"));
    }
    const torch::Tensor src = p.detach().contiguous();
    std::memcpy(dst, src.data_ptr<float>(), t.elements() * sizeof(float));
  }
  return out;
}

absl::Status ImportFromLiv(liv::Model& source, TorchModel& model) {
  torch::NoGradGuard no_grad;
  for (const liv::TensorShape& t : model.layout()) {
    NAS_ASSIGN_OR_RETURN(torch::Tensor p, Parameter(model, t));
    const float* src = source.mutable_weights().mutable_tensor(t.name);
    if (src == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("tensor ", t.name, ": missing or not f32 in the liv model"));
    }
    p.copy_(torch::from_blob(const_cast<float*>(src), p.sizes(), torch::kFloat32));
  }
  return absl::OkStatus();
}

}  // namespace nas::eval
