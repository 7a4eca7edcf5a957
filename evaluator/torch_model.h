// A candidate architecture as a trainable libtorch module, built from the same ArchSpec
// as the runtime and holding its parameters under the runtime's tensor names and shapes
// (liv/model/weight_layout.h: "token_embd", "blk.2.attn_q", ...; matrices [out, in]), so
// export to liv (liv_export.h) is a copy by name. Weight-sharing layers read their
// source's tensors (one parameter, trained once); a KV-sharing attention layer attends
// over its source's keys and values of the same forward pass. The operators are those of
// torch_operators.h, with the runtime's semantics.
//
// Initialisation is deterministic from a seed (its own torch generator, so concurrent
// models do not share one): the embedding N(0, 1) (as torch's nn.Embedding: token identity
// then dominates the residual stream at the start, which a 2-layer attention model needs to
// learn in-context recall within 1,000 steps; with N(0, 0.02) it had not by then); projections N(0, 1/sqrt(in)), those
// that write into the residual stream (attention, convolution and recurrence outputs,
// the channel mixer's down projection) also scaled by 1/sqrt(2 * layers); norms 1;
// convolution taps N(0, 1/sqrt(kernel_size)). Not thread-safe; one model per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/status/statusor.h"
#include "liv/model/weight_layout.h"
#include "proto/arch_spec.pb.h"

namespace nas::eval {

class TorchModel : public torch::nn::Module {
 public:
  // InvalidArgument (the field named, "spec." prefixed) when the spec does not validate.
  static absl::StatusOr<std::shared_ptr<TorchModel>> Create(const ArchSpec& spec, uint64_t seed);

  // tokens: [batch, time] int64 ids < vocab_size. Returns logits [batch, time, vocab].
  torch::Tensor Forward(const torch::Tensor& tokens);

  const ArchSpec& spec() const { return spec_; }
  const std::vector<liv::TensorShape>& layout() const { return layout_; }
  // The parameter stored under a WeightLayout name; undefined tensor when absent.
  torch::Tensor tensor(const std::string& name) const;
  // Parameters that get weight decay (matrices and the embedding) and those that do not
  // (norm weights and convolution taps).
  std::vector<torch::Tensor> decayed_parameters() const;
  std::vector<torch::Tensor> undecayed_parameters() const;
  uint64_t parameter_count() const;

 private:
  TorchModel(const ArchSpec& spec, uint64_t seed);
  // The parameters of either role, in layout order.
  std::vector<torch::Tensor> ParametersOf(liv::TensorRole r1, liv::TensorRole r2) const;
  // The tensor `suffix` of layer i's weight owner, e.g. Layer(3, "attn_q").
  const torch::Tensor& Weight(int layer, const char* suffix) const;
  torch::Tensor TokenMixer(int i, const torch::Tensor& u, std::vector<torch::Tensor>& keys,
                           std::vector<torch::Tensor>& values);
  torch::Tensor ChannelMixer(int i, const torch::Tensor& h);

  ArchSpec spec_;
  std::vector<liv::TensorShape> layout_;
  std::vector<int> owner_;  // WeightOwner per layer
  std::unordered_map<std::string, torch::Tensor> by_name_;
};

}  // namespace nas::eval
