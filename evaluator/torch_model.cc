#include "evaluator/torch_model.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "evaluator/torch_operators.h"
#include "liv/model/arch_spec_validate.h"

namespace nas::eval {
namespace F = torch::nn::functional;
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Projections that write into the residual stream.
bool IsResidualOutput(const std::string& name) {
  return EndsWith(name, ".attn_output") || EndsWith(name, ".shortconv.out_proj") ||
         EndsWith(name, ".rec_output") || EndsWith(name, ".ffn_down");
}

}  // namespace

absl::StatusOr<std::shared_ptr<TorchModel>> TorchModel::Create(const ArchSpec& spec,
                                                                uint64_t seed) {
  if (absl::Status s = liv::ValidateArchSpec(spec); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("spec.", s.message()));
  }
  return std::shared_ptr<TorchModel>(new TorchModel(spec, seed));
}

TorchModel::TorchModel(const ArchSpec& spec, uint64_t seed)
    : spec_(spec), layout_(liv::WeightLayout(spec)) {
  for (int i = 0; i < spec.layers_size(); ++i) owner_.push_back(liv::WeightOwner(spec, i));
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const double residual_scale = 1.0 / std::sqrt(2.0 * std::max(1, spec.layers_size()));
  for (const liv::TensorShape& t : layout_) {
    const int64_t rows = static_cast<int64_t>(t.rows), cols = static_cast<int64_t>(t.cols);
    torch::Tensor w = t.role == liv::TensorRole::kNorm ? torch::ones({cols})
                                                        : torch::empty({rows, cols});
    switch (t.role) {
      case liv::TensorRole::kEmbedding:
        w.normal_(0.0, 1.0, gen);
        break;
      case liv::TensorRole::kMatrix:
        w.normal_(0.0, (IsResidualOutput(t.name) ? residual_scale : 1.0) / std::sqrt(double(cols)),
                  gen);
        break;
      case liv::TensorRole::kConvTaps:
        w.normal_(0.0, 1.0 / std::sqrt(double(cols)), gen);
        break;
      case liv::TensorRole::kNorm:
        break;
    }
    by_name_[t.name] = register_parameter(absl::StrReplaceAll(t.name, {{".", "_"}}), w);
  }
}

torch::Tensor TorchModel::tensor(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? torch::Tensor() : it->second;
}

const torch::Tensor& TorchModel::Weight(int layer, const char* suffix) const {
  return by_name_.at(absl::StrCat("blk.", owner_[layer], ".", suffix));
}

std::vector<torch::Tensor> TorchModel::ParametersOf(liv::TensorRole r1, liv::TensorRole r2) const {
  std::vector<torch::Tensor> out;
  for (const liv::TensorShape& t : layout_) {
    if (t.role == r1 || t.role == r2) out.push_back(by_name_.at(t.name));
  }
  return out;
}

std::vector<torch::Tensor> TorchModel::decayed_parameters() const {
  return ParametersOf(liv::TensorRole::kMatrix, liv::TensorRole::kEmbedding);
}

std::vector<torch::Tensor> TorchModel::undecayed_parameters() const {
  return ParametersOf(liv::TensorRole::kNorm, liv::TensorRole::kConvTaps);
}

uint64_t TorchModel::parameter_count() const { return liv::CountParameters(spec_); }

torch::Tensor TorchModel::TokenMixer(int i, const torch::Tensor& u,
                                     std::vector<torch::Tensor>& keys,
                                     std::vector<torch::Tensor>& values) {
  const Layer& layer = spec_.layers(i);
  const int64_t batch = u.size(0), time = u.size(1);
  if (layer.has_attention()) {
    const Attention& a = layer.attention();
    const int64_t hd = a.head_dim();
    const double eps = spec_.norm_eps();
    torch::Tensor q = F::linear(u, Weight(i, "attn_q")).view({batch, time, a.num_heads(), hd});
    if (a.qk_norm()) q = RmsNorm(q, Weight(i, "attn_q_norm"), eps);
    const RopeTable rope = MakeRopeTable(time, hd, a.rope_theta());
    q = ApplyRope(q, rope);
    if (liv::OwnsKv(a)) {
      torch::Tensor k = F::linear(u, Weight(i, "attn_k")).view({batch, time, a.num_kv_heads(), hd});
      torch::Tensor v = F::linear(u, Weight(i, "attn_v")).view({batch, time, a.num_kv_heads(), hd});
      if (a.qk_norm()) k = RmsNorm(k, Weight(i, "attn_k_norm"), eps);
      k = ApplyRope(k, rope);
      keys[i] = k.transpose(1, 2);
      values[i] = v.transpose(1, 2);
    } else {
      keys[i] = keys[a.kv_source_layer()];
      values[i] = values[a.kv_source_layer()];
    }
    return F::linear(CausalAttention(q.transpose(1, 2), keys[i], values[i], a.sliding_window()),
                     Weight(i, "attn_output"));
  }
  if (layer.has_short_conv()) {
    const torch::Tensor proj = F::linear(u, Weight(i, "shortconv.in_proj"));
    return F::linear(GatedShortConv(proj, Weight(i, "shortconv.conv"), layer.short_conv().gating()),
                     Weight(i, "shortconv.out_proj"));
  }
  const Recurrence& r = layer.recurrence();
  const std::vector<int64_t> shape = {batch, time, r.num_heads(), r.head_dim()};
  const auto project = [&](const char* name) { return F::linear(u, Weight(i, name)).view(shape); };
  return F::linear(GatedLinearAttention(project("rec_q"), project("rec_k"), project("rec_v"),
                                        project("rec_decay"), project("rec_gate")),
                   Weight(i, "rec_output"));
}

torch::Tensor TorchModel::ChannelMixer(int i, const torch::Tensor& h) {
  const Layer& layer = spec_.layers(i);
  if (layer.has_swiglu()) {
    const torch::Tensor u = RmsNorm(h, Weight(i, "ffn_norm"), spec_.norm_eps());
    return SwiGlu(u, Weight(i, "ffn_gate"), Weight(i, "ffn_up"), Weight(i, "ffn_down"));
  }
  if (layer.has_gelu_mlp()) {
    const torch::Tensor u = RmsNorm(h, Weight(i, "ffn_norm"), spec_.norm_eps());
    return GeluMlp(u, Weight(i, "ffn_up"), Weight(i, "ffn_down"));
  }
  return torch::Tensor();
}

torch::Tensor TorchModel::Forward(const torch::Tensor& tokens) {
  const torch::Tensor& embedding = by_name_.at("token_embd");
  torch::Tensor h = F::embedding(tokens, embedding);
  const size_t layers = static_cast<size_t>(spec_.layers_size());
  std::vector<torch::Tensor> keys(layers), values(layers);
  for (int i = 0; i < spec_.layers_size(); ++i) {
    const torch::Tensor u = RmsNorm(h, Weight(i, "attn_norm"), spec_.norm_eps());
    h = h + TokenMixer(i, u, keys, values);
    if (torch::Tensor mix = ChannelMixer(i, h); mix.defined()) h = h + mix;
  }
  h = RmsNorm(h, by_name_.at("output_norm").view({-1}), spec_.norm_eps());
  return F::linear(h, spec_.tie_embeddings() ? embedding : by_name_.at("output"));
}

}  // namespace nas::eval
