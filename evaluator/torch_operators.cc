#include "evaluator/torch_operators.h"

#include <cmath>
#include <vector>

namespace nas::eval {
namespace F = torch::nn::functional;

torch::Tensor RmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  return x * torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true) + eps) * w;
}

RopeTable MakeRopeTable(int64_t time, int64_t head_dim, double theta) {
  const int64_t half = head_dim / 2;
  std::vector<float> cos(static_cast<size_t>(time * half)), sin(cos.size());
  for (int64_t i = 0; i < half; ++i) {
    const double inv_freq = std::pow(theta, -2.0 * static_cast<double>(i) / head_dim);
    for (int64_t t = 0; t < time; ++t) {
      const double angle = static_cast<double>(t) * inv_freq;
      cos[t * half + i] = static_cast<float>(std::cos(angle));
      sin[t * half + i] = static_cast<float>(std::sin(angle));
    }
  }
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  return {torch::from_blob(cos.data(), {time, half}, options).clone(),
          torch::from_blob(sin.data(), {time, half}, options).clone()};
}

torch::Tensor ApplyRope(const torch::Tensor& x, const RopeTable& rope) {
  const int64_t half = x.size(-1) / 2;
  const torch::Tensor a = x.narrow(-1, 0, half);
  const torch::Tensor b = x.narrow(-1, half, half);
  // cos/sin [time, half] -> [1, time, 1, half] against [batch, time, heads, half].
  const torch::Tensor c = rope.cos.unsqueeze(0).unsqueeze(2);
  const torch::Tensor s = rope.sin.unsqueeze(0).unsqueeze(2);
  return torch::cat({a * c - b * s, b * c + a * s}, -1);
}

torch::Tensor CausalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, uint32_t window) {
  const int64_t batch = q.size(0), heads = q.size(1), time = q.size(2), hd = q.size(3);
  const int64_t group = heads / k.size(1);
  const torch::Tensor kk = group > 1 ? k.repeat_interleave(group, 1) : k;
  const torch::Tensor vv = group > 1 ? v.repeat_interleave(group, 1) : v;
  torch::Tensor scores = torch::matmul(q, kk.transpose(-2, -1)) / std::sqrt(double(hd));
  // Visible: key j <= query t, and t - j < window when windowed.
  const torch::Tensor t = torch::arange(time).unsqueeze(1);
  const torch::Tensor j = torch::arange(time).unsqueeze(0);
  torch::Tensor hidden = j > t;
  if (window > 0) hidden = hidden.logical_or(t - j >= static_cast<int64_t>(window));
  scores = scores.masked_fill(hidden, -std::numeric_limits<float>::infinity());
  const torch::Tensor out = torch::matmul(torch::softmax(scores, -1), vv);  // [b, h, t, hd]
  return out.transpose(1, 2).reshape({batch, time, heads * hd});
}

torch::Tensor GatedShortConv(const torch::Tensor& proj, const torch::Tensor& taps,
                             ShortConv::Gating gating) {
  const int64_t d = taps.size(0), kernel = taps.size(1);
  torch::Tensor x, c;
  if (gating == ShortConv::DOUBLE) {
    auto parts = proj.split(d, -1);  // B, C, x
    x = parts[0] * parts[2];
    c = parts[1];
  } else if (gating == ShortConv::OUTPUT_ONLY) {
    auto parts = proj.split(d, -1);  // C, x
    x = parts[1];
    c = parts[0];
  } else {
    x = proj;
  }
  // Depthwise causal convolution over time: pad kernel-1 zeros in front.
  torch::Tensor z = F::pad(x.transpose(1, 2), F::PadFuncOptions({kernel - 1, 0}));
  torch::Tensor y = F::conv1d(z, taps.unsqueeze(1), F::Conv1dFuncOptions().groups(d));
  y = y.transpose(1, 2);
  return c.defined() ? y * c : y;
}

torch::Tensor GatedLinearAttention(const torch::Tensor& q, const torch::Tensor& k,
                                   const torch::Tensor& v, const torch::Tensor& a,
                                   const torch::Tensor& g) {
  const int64_t batch = q.size(0), time = q.size(1), heads = q.size(2), hd = q.size(3);
  const torch::Tensor alpha = torch::exp(F::logsigmoid(a) / 16.0);
  const torch::Tensor qs = q / std::sqrt(static_cast<double>(hd));
  torch::Tensor state = torch::zeros({batch, heads, hd, hd}, q.options());
  std::vector<torch::Tensor> outs;
  outs.reserve(static_cast<size_t>(time));
  for (int64_t t = 0; t < time; ++t) {
    const torch::Tensor kt = k.select(1, t), vt = v.select(1, t);  // [b, h, hd]
    state = state * alpha.select(1, t).unsqueeze(-1) + kt.unsqueeze(-1) * vt.unsqueeze(-2);
    // o_j = sum_i S_ij q_i
    outs.push_back(torch::matmul(qs.select(1, t).unsqueeze(-2), state).squeeze(-2));
  }
  const torch::Tensor o = torch::stack(outs, 1);  // [b, t, h, hd]
  return (o * F::silu(g)).reshape({batch, time, heads * hd});
}

torch::Tensor SwiGlu(const torch::Tensor& u, const torch::Tensor& gate, const torch::Tensor& up,
                     const torch::Tensor& down) {
  return F::linear(F::silu(F::linear(u, gate)) * F::linear(u, up), down);
}

torch::Tensor GeluMlp(const torch::Tensor& u, const torch::Tensor& up, const torch::Tensor& down) {
  return F::linear(F::gelu(F::linear(u, up)), down);
}

}  // namespace nas::eval
