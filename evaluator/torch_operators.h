// The LIV operators as libtorch functions, with exactly the semantics of the runtime's
// (proto/arch_spec.proto, ../shared/REFERENCE.md section 1; liv/ops/*): RMSNorm with weight
// w (not 1 + w), NeoX rotate-half RoPE with angles computed in double as liv's tables are,
// causal grouped-query attention with an optional sliding window, the gated short
// convolution in its three gatings, gated linear attention (the recurrence) and the two
// channel mixers. Activations are [batch, time, features] float32 tensors; every function
// is differentiable and free of state, so the model (torch_model.h) only wires them up.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "proto/arch_spec.pb.h"

namespace nas::eval {

// x * w / sqrt(mean(x^2) + eps) over the last dimension.
torch::Tensor RmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps);

// cos and sin of NeoX RoPE for positions [0, time): each [time, head_dim / 2], angle
// position * theta^(-2i / head_dim) computed in double, then rounded to float.
struct RopeTable {
  torch::Tensor cos, sin;
};
RopeTable MakeRopeTable(int64_t time, int64_t head_dim, double theta);

// x: [batch, time, heads, head_dim]; rotates (x[i], x[i + half]) by the position's angle i.
torch::Tensor ApplyRope(const torch::Tensor& x, const RopeTable& rope);

// Softmax attention of q [batch, heads, time, head_dim] over k, v [batch, kv_heads, time,
// head_dim] (query head h reads KV head h / (heads / kv_heads)), causal; window W > 0
// limits query t to keys (t - W, t]. Scale 1/sqrt(head_dim). Returns [batch, time,
// heads * head_dim].
torch::Tensor CausalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, uint32_t window);

// The gated short convolution between its projections: proj [batch, time, g * d] is the
// in_proj output (g = 3: B, C, x for DOUBLE; 2: C, x for OUTPUT_ONLY; 1: x for NONE), taps
// [d, kernel]; tap kernel-1 multiplies the current token. Returns [batch, time, d], the
// input of out_proj.
torch::Tensor GatedShortConv(const torch::Tensor& proj, const torch::Tensor& taps,
                             ShortConv::Gating gating);

// Gated linear attention between its projections: q, k, v, a, g [batch, time, heads,
// head_dim]; alpha = exp(log_sigmoid(a) / 16), S_t = diag(alpha_t) S_{t-1} + k_t v_t^T,
// o_t = S_t^T q_t / sqrt(head_dim), out = o * silu(g), state zero at t = 0. Returns
// [batch, time, heads * head_dim], the input of the output projection.
torch::Tensor GatedLinearAttention(const torch::Tensor& q, const torch::Tensor& k,
                                   const torch::Tensor& v, const torch::Tensor& a,
                                   const torch::Tensor& g);

// w2(silu(w1 u) * (w3 u)) and w2(gelu_erf(w1 u)); matrices are [out, in].
torch::Tensor SwiGlu(const torch::Tensor& u, const torch::Tensor& gate, const torch::Tensor& up,
                     const torch::Tensor& down);
torch::Tensor GeluMlp(const torch::Tensor& u, const torch::Tensor& up, const torch::Tensor& down);

}  // namespace nas::eval
