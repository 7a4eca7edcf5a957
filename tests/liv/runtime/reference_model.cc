#include "tests/liv/runtime/reference_model.h"

#include <cmath>

#include "liv/model/weight_layout.h"

namespace nas::liv::testing {
namespace {

using Vec = std::vector<double>;
using Seq = std::vector<Vec>;

Vec Slice(const Vec& x, size_t begin, size_t n) {
  return Vec(x.begin() + begin, x.begin() + begin + n);
}

struct AttentionKv {
  Seq k, v;  // per position, kv_heads * head_dim (normed and rotated)
};

Seq Attention(const Attention& a, const LayerWeights& lw, const Seq& x, double eps,
              const std::vector<AttentionKv>& kvs, int layer, AttentionKv* own) {
  const size_t d = x[0].size(), hd = a.head_dim(), heads = a.num_heads();
  const size_t kv_heads = a.num_kv_heads(), group = heads / kv_heads;
  const size_t n = x.size();
  // Per head: optional RMSNorm (weight of head_dim), then RoPE at the token's position.
  auto norm_and_rotate = [&](const Vec& projected, size_t count, const float* norm, size_t t) {
    Vec rotated;
    for (size_t h = 0; h < count; ++h) {
      Vec head = Slice(projected, h * hd, hd);
      if (a.qk_norm()) head = RefRmsNorm(head, norm, eps);
      head = RefRope(head, t, a.rope_theta());
      rotated.insert(rotated.end(), head.begin(), head.end());
    }
    return rotated;
  };
  Seq q(n);
  for (size_t t = 0; t < n; ++t) {
    q[t] = norm_and_rotate(RefMatVec(lw.q, heads * hd, d, x[t]), heads, lw.q_norm, t);
    if (!a.has_kv_source_layer()) {
      own->k.push_back(
          norm_and_rotate(RefMatVec(lw.k, kv_heads * hd, d, x[t]), kv_heads, lw.k_norm, t));
      own->v.push_back(RefMatVec(lw.v, kv_heads * hd, d, x[t]));
    }
  }
  const AttentionKv& kv = a.has_kv_source_layer() ? kvs[a.kv_source_layer()] : *own;
  Seq out(n, Vec(heads * hd, 0.0));
  for (size_t t = 0; t < n; ++t) {
    const size_t first = a.sliding_window() > 0 && t + 1 > a.sliding_window()
                             ? t + 1 - a.sliding_window()
                             : 0;
    for (size_t h = 0; h < heads; ++h) {
      const size_t g = h / group;
      std::vector<double> scores;
      double max_score = -1e300;
      for (size_t j = first; j <= t; ++j) {
        double s = 0;
        for (size_t i = 0; i < hd; ++i) s += q[t][h * hd + i] * kv.k[j][g * hd + i];
        s /= std::sqrt(static_cast<double>(hd));
        scores.push_back(s);
        max_score = std::max(max_score, s);
      }
      double total = 0;
      for (double& s : scores) total += (s = std::exp(s - max_score));
      for (size_t j = first; j <= t; ++j) {
        const double p = scores[j - first] / total;
        for (size_t i = 0; i < hd; ++i) out[t][h * hd + i] += p * kv.v[j][g * hd + i];
      }
    }
  }
  Seq y(n);
  for (size_t t = 0; t < n; ++t) y[t] = RefMatVec(lw.o, d, heads * hd, out[t]);
  return y;
}

Seq ShortConvMixer(const ShortConv& c, const LayerWeights& lw, const Seq& x) {
  const size_t d = x[0].size(), n = x.size(), len = c.kernel_size();
  const int groups = ShortConvInProjGroups(c);
  Seq z(n), gate_c(n);
  for (size_t t = 0; t < n; ++t) {
    Vec p = RefMatVec(lw.conv_in, groups * d, d, x[t]);
    Vec xs = Slice(p, (groups - 1) * d, d);
    if (c.gating() == ShortConv::DOUBLE) {
      for (size_t i = 0; i < d; ++i) xs[i] *= p[i];  // B * x
    }
    z[t] = xs;
    if (groups >= 2) gate_c[t] = Slice(p, (groups - 2) * d, d);
  }
  Seq y(n);
  for (size_t t = 0; t < n; ++t) {
    Vec conv(d, 0.0);
    for (size_t ch = 0; ch < d; ++ch) {
      for (size_t k = 0; k < len; ++k) {
        // tap k multiplies the input at t - (len - 1) + k; before the sequence: zero.
        const long src = static_cast<long>(t) - static_cast<long>(len - 1) + static_cast<long>(k);
        if (src >= 0) conv[ch] += lw.conv_taps[ch * len + k] * z[src][ch];
      }
      if (groups >= 2) conv[ch] *= gate_c[t][ch];
    }
    y[t] = RefMatVec(lw.conv_out, d, d, conv);
  }
  return y;
}

Seq Recurrence(const Recurrence& r, const LayerWeights& lw, const Seq& x) {
  const size_t d = x[0].size(), n = x.size(), heads = r.num_heads(), hd = r.head_dim();
  const size_t width = heads * hd;
  std::vector<Vec> state(heads, Vec(hd * hd, 0.0));
  Seq y(n);
  for (size_t t = 0; t < n; ++t) {
    Vec q = RefMatVec(lw.rec_q, width, d, x[t]), k = RefMatVec(lw.rec_k, width, d, x[t]);
    Vec v = RefMatVec(lw.rec_v, width, d, x[t]), a = RefMatVec(lw.rec_decay, width, d, x[t]);
    Vec g = RefMatVec(lw.rec_gate, width, d, x[t]);
    Vec o(width, 0.0);
    for (size_t h = 0; h < heads; ++h) {
      Vec& s = state[h];
      for (size_t i = 0; i < hd; ++i) {
        const double log_sig = -std::log1p(std::exp(-a[h * hd + i]));
        const double alpha = std::exp(log_sig / 16.0);
        for (size_t j = 0; j < hd; ++j) {
          s[i * hd + j] = alpha * s[i * hd + j] + k[h * hd + i] * v[h * hd + j];
        }
      }
      for (size_t j = 0; j < hd; ++j) {
        double acc = 0;
        for (size_t i = 0; i < hd; ++i) acc += s[i * hd + j] * q[h * hd + i];
        o[h * hd + j] = acc / std::sqrt(static_cast<double>(hd)) * RefSilu(g[h * hd + j]);
      }
    }
    y[t] = RefMatVec(lw.rec_out, d, width, o);
  }
  return y;
}

Vec ChannelMixer(const Layer& layer, const LayerWeights& lw, const Vec& x) {
  const size_t d = x.size();
  if (layer.has_swiglu()) {
    const size_t ff = layer.swiglu().hidden();
    Vec g = RefMatVec(lw.ffn_gate, ff, d, x), u = RefMatVec(lw.ffn_up, ff, d, x);
    for (size_t i = 0; i < ff; ++i) g[i] = RefSilu(g[i]) * u[i];
    return RefMatVec(lw.ffn_down, d, ff, g);
  }
  const size_t ff = layer.gelu_mlp().hidden();
  Vec u = RefMatVec(lw.ffn_up, ff, d, x);
  for (double& e : u) e = RefGelu(e);
  return RefMatVec(lw.ffn_down, d, ff, u);
}

}  // namespace

Vec RefRmsNorm(const Vec& x, const float* w, double eps) {
  double ss = 0;
  for (double e : x) ss += e * e;
  const double inv = 1.0 / std::sqrt(ss / x.size() + eps);
  Vec out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = w[i] * x[i] * inv;
  return out;
}

Vec RefRope(const Vec& head, uint64_t pos, double theta) {
  const size_t dim = head.size(), half = dim / 2;
  Vec out(dim);
  for (size_t i = 0; i < half; ++i) {
    const double angle = pos * std::pow(theta, -2.0 * i / dim);
    out[i] = head[i] * std::cos(angle) - head[i + half] * std::sin(angle);
    out[i + half] = head[i + half] * std::cos(angle) + head[i] * std::sin(angle);
  }
  return out;
}

Vec RefMatVec(const WeightMatrix& w, size_t rows, size_t cols, const Vec& x) {
  Vec y(rows, 0.0);
  std::vector<float> row(cols);
  for (size_t r = 0; r < rows; ++r) {
    DequantizeRow(w, r, row.data());
    for (size_t c = 0; c < cols; ++c) y[r] += row[c] * x[c];
  }
  return y;
}

Vec RefMatVec(const float* w, size_t rows, size_t cols, const Vec& x) {
  Vec y(rows, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) y[r] += w[r * cols + c] * x[c];
  }
  return y;
}

double RefSilu(double x) { return x / (1.0 + std::exp(-x)); }
double RefGelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

std::vector<std::vector<double>> ReferenceForward(const ArchSpec& spec, const ModelWeights& w,
                                                  const std::vector<int32_t>& tokens) {
  const size_t d = spec.d_model(), n = tokens.size();
  const double eps = spec.norm_eps();
  Seq h(n);
  for (size_t t = 0; t < n; ++t) {
    std::vector<float> row(d);
    DequantizeRow(w.embedding(), static_cast<uint64_t>(tokens[t]), row.data());
    h[t] = Vec(row.begin(), row.end());
  }
  std::vector<AttentionKv> kvs(spec.layers_size());
  for (int l = 0; l < spec.layers_size(); ++l) {
    const Layer& layer = spec.layers(l);
    // A weight-sharing layer computes with its source's tensors (and its own state).
    const int owner =
        layer.has_weight_source_layer() ? static_cast<int>(layer.weight_source_layer()) : l;
    const LayerWeights& lw = w.layer(owner);
    Seq x(n);
    for (size_t t = 0; t < n; ++t) x[t] = RefRmsNorm(h[t], lw.attn_norm, eps);
    Seq y;
    if (layer.has_attention()) y = Attention(layer.attention(), lw, x, eps, kvs, l, &kvs[l]);
    if (layer.has_short_conv()) y = ShortConvMixer(layer.short_conv(), lw, x);
    if (layer.has_recurrence()) y = Recurrence(layer.recurrence(), lw, x);
    for (size_t t = 0; t < n; ++t) {
      for (size_t i = 0; i < d; ++i) h[t][i] += y[t][i];
    }
    if (layer.has_no_channel_mixer()) continue;
    for (size_t t = 0; t < n; ++t) {
      Vec m = ChannelMixer(layer, lw, RefRmsNorm(h[t], lw.ffn_norm, eps));
      for (size_t i = 0; i < d; ++i) h[t][i] += m[i];
    }
  }
  std::vector<std::vector<double>> logits(n);
  for (size_t t = 0; t < n; ++t) {
    logits[t] = RefMatVec(w.output(), spec.vocab_size(), d, RefRmsNorm(h[t], w.output_norm(), eps));
  }
  return logits;
}

}  // namespace nas::liv::testing
