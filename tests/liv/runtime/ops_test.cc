// Each operation against a naive scalar reference written here, on small shapes: RMSNorm,
// RoPE, per-head q/k norm, GQA attention (full and windowed, prefill and decode, f32 and
// f16 K/V caches), the causal depthwise convolution with carried state, the recurrence and
// SwiGLU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "liv/kernels/kernels.h"
#include "liv/ops/attention.h"
#include "liv/ops/matmul.h"
#include "liv/ops/recurrence.h"
#include "liv/ops/short_conv.h"
#include "liv/quant/blocks.h"
#include "liv/runtime/memory_plan.h"
#include "tests/liv/runtime/reference_model.h"
#include "tests/liv/runtime/session_test_util.h"

namespace nas::liv {
namespace {

using testing::RefRmsNorm;
using testing::RefRope;

std::vector<float> Random(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

template <typename A, typename B>
void ExpectClose(const A& actual, const B& expected, double tolerance, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_NEAR(actual[i], expected[i], tolerance * (1 + std::abs(expected[i])))
        << what << " at " << i;
  }
}

class OpsTest : public ::testing::TestWithParam<int> {  // param: threads
 protected:
  ThreadPool pool_{GetParam()};
  const kernels::KernelTable& kt_ = kernels::Active();
};

TEST_P(OpsTest, RmsNormAndPerHeadQkNorm) {
  const auto x = Random(37, 1, 3.0f), w = Random(37, 2);
  std::vector<float> out(37);
  kt_.rmsnorm_f32(x.data(), w.data(), 37, 1e-5f, out.data());
  ExpectClose(out, RefRmsNorm({x.begin(), x.end()}, w.data(), 1e-5), 1e-5, "rmsnorm");
  // q/k norm: each head of 3 x 10 normalised on its own with one shared weight of 10.
  const auto q = Random(30, 3), qw = Random(10, 4);
  std::vector<float> normed = q;
  for (int h = 0; h < 3; ++h) kt_.rmsnorm_f32(&normed[h * 10], qw.data(), 10, 1e-6f, &normed[h * 10]);
  for (int h = 0; h < 3; ++h) {
    const std::vector<double> head(q.begin() + h * 10, q.begin() + (h + 1) * 10);
    ExpectClose(std::vector<float>(normed.begin() + h * 10, normed.begin() + (h + 1) * 10),
                RefRmsNorm(head, qw.data(), 1e-6), 1e-5, "qk norm head " + std::to_string(h));
  }
}

TEST_P(OpsTest, RopeRotatesHalvesAtThePosition) {
  const size_t hd = 16, heads = 3, pos = 37;
  const double theta = 10000;
  auto x = Random(heads * hd, 5);
  std::vector<float> cs(hd);
  for (size_t i = 0; i < hd / 2; ++i) {
    const double angle = pos * std::pow(theta, -2.0 * i / hd);
    cs[i] = std::cos(angle);
    cs[hd / 2 + i] = std::sin(angle);
  }
  const auto original = x;
  kt_.rope_f32(x.data(), heads, hd, cs.data(), cs.data() + hd / 2);
  for (size_t h = 0; h < heads; ++h) {
    const std::vector<double> head(original.begin() + h * hd, original.begin() + (h + 1) * hd);
    ExpectClose(std::vector<float>(x.begin() + h * hd, x.begin() + (h + 1) * hd),
                RefRope(head, pos, theta), 1e-5, "rope head " + std::to_string(h));
  }
}

// Naive GQA: query head h uses KV head h / (heads / kv_heads).
std::vector<double> NaiveAttention(const std::vector<float>& q, const std::vector<float>& k,
                                   const std::vector<float>& v, size_t tokens, size_t heads,
                                   size_t kv_heads, size_t hd, size_t window) {
  std::vector<double> out(tokens * heads * hd, 0.0);
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t h = 0; h < heads; ++h) {
      const size_t g = h / (heads / kv_heads);
      const size_t first = window && t + 1 > window ? t + 1 - window : 0;
      std::vector<double> p;
      double mx = -1e300, total = 0;
      for (size_t j = first; j <= t; ++j) {
        double s = 0;
        for (size_t i = 0; i < hd; ++i) s += q[(t * heads + h) * hd + i] * k[(j * kv_heads + g) * hd + i];
        p.push_back(s / std::sqrt(double(hd)));
        mx = std::max(mx, p.back());
      }
      for (double& e : p) total += (e = std::exp(e - mx));
      for (size_t j = first; j <= t; ++j) {
        for (size_t i = 0; i < hd; ++i) {
          out[(t * heads + h) * hd + i] += p[j - first] / total * v[(j * kv_heads + g) * hd + i];
        }
      }
    }
  }
  return out;
}

// x rounded to fp16 and back, as an f16 K/V cache holds it.
std::vector<float> RoundedToHalf(const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size());
  std::vector<float> out(x.size());
  quant::QuantizeRowF16(x.data(), h.data(), x.size());
  quant::DequantizeRowF16(h.data(), out.data(), x.size());
  return out;
}

// Both cache types, with chunks of one token (decode), of one query block and of several
// (prefill) and windows that make the ring wrap: an f16 cache computes attention over the
// halves of K and V (so it matches the naive attention of the rounded K/V as closely as
// the f32 cache matches the exact one) and stays close to the f32 cache.
TEST_P(OpsTest, GroupedQueryAttentionFullAndWindowedPrefillAndDecode) {
  const size_t tokens = 150, heads = 6, kv_heads = 2, hd = 8;
  const auto q = Random(tokens * heads * hd, 6), k = Random(tokens * kv_heads * hd, 7),
             v = Random(tokens * kv_heads * hd, 8);
  const auto k16 = RoundedToHalf(k), v16 = RoundedToHalf(v);
  for (size_t window : {size_t{0}, size_t{5}, size_t{70}}) {
    for (size_t chunk : {size_t{1}, size_t{64}, size_t{150}}) {
      std::vector<float> outs[2];
      for (KvType type : {KvType::kF32, KvType::kF16}) {
        SCOPED_TRACE("window " + std::to_string(window) + " chunk " + std::to_string(chunk) +
                     " " + std::string(KvTypeName(type)));
        const uint64_t capacity = window ? std::min<size_t>(tokens, window + chunk) : tokens;
        // Two caches' worth of K and V storage in either type (f16 uses half of it).
        std::vector<float> kc(capacity * kv_heads * hd), vc(kc.size());
        const ops::KvCacheView cache{kc.data(), vc.data(), capacity, kv_heads, hd, type};
        const size_t stride = AttentionScratchFloats(chunk, capacity, hd, type);
        std::vector<float> scratch(2 * stride);
        std::vector<float>& out = outs[type == KvType::kF16];
        out.assign(tokens * heads * hd, 0.0f);
        for (size_t t0 = 0; t0 < tokens; t0 += chunk) {
          const size_t n = std::min(chunk, tokens - t0);
          ops::WriteKv(cache, &k[t0 * kv_heads * hd], kv_heads * hd, &v[t0 * kv_heads * hd],
                       kv_heads * hd, n, t0);
          ops::Attend(pool_, kt_, cache, &q[t0 * heads * hd], heads * hd, n, t0, heads, window,
                      scratch.data(), stride, &out[t0 * heads * hd], heads * hd);
        }
        const bool f16 = type == KvType::kF16;
        ExpectClose(out,
                    NaiveAttention(q, f16 ? k16 : k, f16 ? v16 : v, tokens, heads, kv_heads, hd,
                                   window),
                    1e-5, "attention");
      }
      EXPECT_LT(testing::RelativeL2Error(outs[1], outs[0]), 2e-3)
          << "f16 against f32 cache, window " << window << " chunk " << chunk;
    }
  }
}

TEST_P(OpsTest, ShortConvolutionCarriesItsStateAcrossCalls) {
  const size_t d = 21, tokens = 11, len = 4;
  const auto taps = Random(d * len, 9);
  for (auto gating : {ShortConv::DOUBLE, ShortConv::OUTPUT_ONLY, ShortConv::NONE}) {
    const size_t groups = gating == ShortConv::DOUBLE ? 3 : gating == ShortConv::OUTPUT_ONLY ? 2 : 1;
    const auto proj = Random(tokens * groups * d, 10);
    // Naive: z = (B *) x; y_t = sum_k taps[k] z_{t-(len-1)+k}; out = (C *) y.
    std::vector<double> expected(tokens * d);
    for (size_t t = 0; t < tokens; ++t) {
      for (size_t c = 0; c < d; ++c) {
        double y = 0;
        for (size_t k = 0; k < len; ++k) {
          const long s = long(t) - long(len - 1) + long(k);
          if (s < 0) continue;
          const float* row = &proj[s * groups * d];
          double z = row[(groups - 1) * d + c];
          if (groups == 3) z *= row[c];
          y += taps[c * len + k] * z;
        }
        if (groups >= 2) y *= proj[t * groups * d + (groups - 2) * d + c];
        expected[t * d + c] = y;
      }
    }
    std::vector<float> work = proj, state((len - 1) * d, 0.0f), out(tokens * d);
    const size_t split = 3;  // two calls: the state carries the last len-1 inputs
    ops::GatedShortConv(pool_, kt_, gating, work.data(), groups * d, split, d, taps.data(), len,
                        state.data(), out.data(), d);
    ops::GatedShortConv(pool_, kt_, gating, &work[split * groups * d], groups * d,
                        tokens - split, d, taps.data(), len, state.data(), &out[split * d], d);
    ExpectClose(out, expected, 1e-5, ShortConv::Gating_Name(gating));
  }
}

TEST_P(OpsTest, GatedLinearAttentionRecurrence) {
  const size_t heads = 3, hd = 6, tokens = 9, width = heads * hd;
  const auto proj = Random(tokens * 5 * width, 11);
  std::vector<double> expected(tokens * width);
  std::vector<double> s(heads * hd * hd, 0.0);
  for (size_t t = 0; t < tokens; ++t) {
    const float* row = &proj[t * 5 * width];
    for (size_t h = 0; h < heads; ++h) {
      for (size_t i = 0; i < hd; ++i) {
        const double a = row[3 * width + h * hd + i];
        const double alpha = std::pow(1.0 / (1.0 + std::exp(-a)), 1.0 / 16.0);
        for (size_t j = 0; j < hd; ++j) {
          double& sij = s[(h * hd + i) * hd + j];
          sij = alpha * sij + row[width + h * hd + i] * row[2 * width + h * hd + j];
        }
      }
      for (size_t j = 0; j < hd; ++j) {
        double o = 0;
        for (size_t i = 0; i < hd; ++i) o += s[(h * hd + i) * hd + j] * row[h * hd + i];
        const double g = row[4 * width + h * hd + j];
        expected[t * width + h * hd + j] = o / std::sqrt(double(hd)) * g / (1 + std::exp(-g));
      }
    }
  }
  std::vector<float> work = proj, state(heads * hd * hd, 0.0f), out(tokens * width);
  ops::GatedLinearAttention(pool_, kt_, work.data(), 5 * width, 4, heads, hd, state.data(),
                            out.data(), width);
  ops::GatedLinearAttention(pool_, kt_, &work[4 * 5 * width], 5 * width, tokens - 4, heads, hd,
                            state.data(), &out[4 * width], width);
  ExpectClose(out, expected, 1e-5, "gla");
}

TEST_P(OpsTest, SwiGluChannelMixer) {
  const size_t d = 19, ff = 45;
  for (size_t tokens : {size_t{1}, size_t{7}}) {
    const auto x = Random(tokens * d, 12), w1 = Random(ff * d, 13), w3 = Random(ff * d, 14),
               w2 = Random(d * ff, 15);
    std::vector<float> gate(tokens * ff), up(tokens * ff), out(tokens * d);
    const auto& qt = quant::ScalarQuant();  // unused with f32 weights
    const WeightMatrix m1{WeightType::kF32, w1.data(), ff, d}, m3{WeightType::kF32, w3.data(), ff, d},
        m2{WeightType::kF32, w2.data(), d, ff};
    ops::MatMul(pool_, kt_, qt, x.data(), d, tokens, m1, gate.data(), ff, nullptr);
    ops::MatMul(pool_, kt_, qt, x.data(), d, tokens, m3, up.data(), ff, nullptr);
    for (size_t t = 0; t < tokens; ++t) kt_.swiglu_f32(&gate[t * ff], &up[t * ff], ff, &gate[t * ff]);
    ops::MatMul(pool_, kt_, qt, gate.data(), ff, tokens, m2, out.data(), d, nullptr);
    std::vector<double> expected(tokens * d);
    for (size_t t = 0; t < tokens; ++t) {
      std::vector<double> h(ff);
      for (size_t i = 0; i < ff; ++i) {
        double g = 0, u = 0;
        for (size_t c = 0; c < d; ++c) {
          g += w1[i * d + c] * x[t * d + c];
          u += w3[i * d + c] * x[t * d + c];
        }
        h[i] = g / (1 + std::exp(-g)) * u;
      }
      for (size_t o = 0; o < d; ++o) {
        for (size_t i = 0; i < ff; ++i) expected[t * d + o] += w2[o * ff + i] * h[i];
      }
    }
    ExpectClose(out, expected, 1e-4, "swiglu tokens " + std::to_string(tokens));
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, OpsTest, ::testing::Values(1, 2),
                         [](const auto& info) { return std::to_string(info.param) + "_threads"; });

}  // namespace
}  // namespace nas::liv
