// Tests of the f32 kernel table: the scalar reference against hand-computed values, then
// every compiled variant against the scalar reference on odd shapes (normalised MSE); the
// *_f16 kernels on halves rounded by liv/quant/blocks.h.

#include "liv/kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "liv/quant/blocks.h"

namespace nas::liv::kernels {

// Names the variant in failure messages instead of printing the pointer (found by ADL).
void PrintTo(const KernelTable* table, std::ostream* os) { *os << table->name; }

namespace {

constexpr double kMaxNmse = 1e-7;
constexpr size_t kSizes[] = {1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099};

std::vector<float> Random(size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// sum((a - b)^2) / sum(b^2), with b the reference.
double Nmse(const float* a, const float* b, size_t n) {
  double err = 0.0;
  double ref = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    err += d * d;
    ref += static_cast<double>(b[i]) * b[i];
  }
  return ref == 0.0 ? err : err / ref;
}
double Nmse(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  return Nmse(a.data(), b.data(), a.size());
}
double Nmse(float a, float b) { return Nmse(&a, &b, 1); }

// x rounded to fp16 (blocks.h's reference conversion), as an f16 K/V cache stores it.
std::vector<uint16_t> Halves(const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size());
  quant::QuantizeRowF16(x.data(), h.data(), x.size());
  return h;
}

// ---- the scalar reference against values computed by hand ------------------------------

TEST(ScalarReference, GemvSmall) {
  // Row stride 4 with one padding column that must be ignored.
  const float w[] = {1, 2, 3, 99, -1, 0, 2, 99};
  const float x[] = {1, 10, 100};
  float y[2];
  Scalar().gemv_f32(w, 4, 2, 3, x, y);
  EXPECT_FLOAT_EQ(y[0], 321.0f);
  EXPECT_FLOAT_EQ(y[1], 199.0f);
}

TEST(ScalarReference, DotSumAxpy) {
  const float a[] = {1, 2, 3};
  const float b[] = {4, -5, 6};
  EXPECT_FLOAT_EQ(Scalar().dot_f32(a, b, 3), 12.0f);
  EXPECT_FLOAT_EQ(Scalar().sum_f32(b, 3), 5.0f);
  float y[] = {1, 1, 1};
  Scalar().axpy_f32(2.0f, a, y, 3);
  EXPECT_FLOAT_EQ(y[0], 3.0f);
  EXPECT_FLOAT_EQ(y[1], 5.0f);
  EXPECT_FLOAT_EQ(y[2], 7.0f);
}

TEST(ScalarReference, DotAndAxpyOfHalves) {
  // 0.1 is not a half: it reads back as 0.0999755859375 (0x2e66).
  const float a[] = {1, 2, 3};
  const std::vector<uint16_t> b = Halves({4, -5, 0.1f});
  EXPECT_EQ(b[2], 0x2e66);
  EXPECT_FLOAT_EQ(Scalar().dot_f16(a, b.data(), 3), 4 - 10 + 3 * 0.0999755859375f);
  float y[] = {1, 1, 1};
  Scalar().axpy_f16(2.0f, b.data(), y, 3);
  EXPECT_FLOAT_EQ(y[0], 9.0f);
  EXPECT_FLOAT_EQ(y[1], -9.0f);
  EXPECT_FLOAT_EQ(y[2], 1 + 2 * 0.0999755859375f);
}

TEST(ScalarReference, RmsNormOfThreeFour) {
  // mean(x^2) = 12.5, rms = sqrt(12.5).
  const float x[] = {3, 4};
  const float w[] = {1, 2};
  float out[2];
  Scalar().rmsnorm_f32(x, w, 2, 0.0f, out);
  const float rms = std::sqrt(12.5f);
  EXPECT_NEAR(out[0], 3.0f / rms, 1e-6);
  EXPECT_NEAR(out[1], 8.0f / rms, 1e-6);
}

TEST(ScalarReference, SoftmaxOfEqualValuesIsUniform) {
  float x[] = {5, 5, 5, 5};
  Scalar().softmax_f32(x, 4);
  for (float v : x) EXPECT_FLOAT_EQ(v, 0.25f);
  float y[] = {0.0f, std::log(3.0f)};  // exp: 1 and 3
  Scalar().softmax_f32(y, 2);
  EXPECT_NEAR(y[0], 0.25f, 1e-7);
  EXPECT_NEAR(y[1], 0.75f, 1e-7);
}

TEST(ScalarReference, SwiGluAndGelu) {
  const float gate[] = {0.0f, std::log(3.0f)};  // silu(ln 3) = ln 3 / (1 + 1/3)
  const float up[] = {7.0f, 2.0f};
  float out[2];
  Scalar().swiglu_f32(gate, up, 2, out);
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_NEAR(out[1], 2.0f * 0.75f * std::log(3.0f), 1e-6);
  const float x[] = {0.0f, 1.0f, -1.0f};
  float g[3];
  Scalar().gelu_f32(x, 3, g);
  EXPECT_FLOAT_EQ(g[0], 0.0f);
  EXPECT_NEAR(g[1], 0.8413447460685429f, 1e-6);  // Phi(1)
  EXPECT_NEAR(g[2], -0.1586552539314571f, 1e-6);
}

TEST(ScalarReference, RopeRotatesHalves) {
  // i = 0 rotates by 90 degrees (cos 0, sin 1); i = 1 is the identity.
  float x[] = {1, 2, 3, 4, 1, 2, 3, 4};
  const float cos[] = {0, 1};
  const float sin[] = {1, 0};
  Scalar().rope_f32(x, 2, 4, cos, sin);
  const float want[] = {-3, 2, 1, 4, -3, 2, 1, 4};
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(x[i], want[i]) << i;
}

TEST(ScalarReference, ShortConvByHand) {
  // One channel, taps {1, 2, 3} (oldest first), zero state, inputs 1 2 3.
  const float in[] = {1, 2, 3};
  const float taps[] = {1, 2, 3};
  float state[] = {0, 0};
  float out[3];
  Scalar().short_conv_f32(in, 1, 3, taps, 3, state, 1, 1, out, 1);
  EXPECT_FLOAT_EQ(out[0], 3.0f);   // 1*0 + 2*0 + 3*1
  EXPECT_FLOAT_EQ(out[1], 8.0f);   // 1*0 + 2*1 + 3*2
  EXPECT_FLOAT_EQ(out[2], 14.0f);  // 1*1 + 2*2 + 3*3
  EXPECT_FLOAT_EQ(state[0], 2.0f);
  EXPECT_FLOAT_EQ(state[1], 3.0f);
}

TEST(ScalarReference, ShortConvFewerTokensThanState) {
  // L = 4: the state keeps two old rows and gains the one new token.
  const float in[] = {4};
  const float taps[] = {1, 1, 1, 1};
  float state[] = {1, 2, 3};
  float out[1];
  Scalar().short_conv_f32(in, 1, 1, taps, 4, state, 1, 1, out, 1);
  EXPECT_FLOAT_EQ(out[0], 10.0f);
  EXPECT_FLOAT_EQ(state[0], 2.0f);
  EXPECT_FLOAT_EQ(state[1], 3.0f);
  EXPECT_FLOAT_EQ(state[2], 4.0f);
}

TEST(ScalarReference, ShortConvStateCarriesAcrossCalls) {
  const size_t channels = 3, len = 3, tokens = 10;
  const std::vector<float> in = Random(tokens * channels, -1, 1, 1);
  const std::vector<float> taps = Random(channels * len, -1, 1, 2);
  const std::vector<float> state0 = Random((len - 1) * channels, -1, 1, 3);

  std::vector<float> state_all = state0;
  std::vector<float> out_all(tokens * channels);
  Scalar().short_conv_f32(in.data(), channels, tokens, taps.data(), len, state_all.data(),
                          channels, channels, out_all.data(), channels);

  std::vector<float> state_split = state0;
  std::vector<float> out_split(tokens * channels);
  Scalar().short_conv_f32(in.data(), channels, 4, taps.data(), len, state_split.data(),
                          channels, channels, out_split.data(), channels);
  Scalar().short_conv_f32(in.data() + 4 * channels, channels, 6, taps.data(), len,
                          state_split.data(), channels, channels,
                          out_split.data() + 4 * channels, channels);
  EXPECT_EQ(out_all, out_split);
  EXPECT_EQ(state_all, state_split);
}

TEST(ScalarReference, GlaStepTwoByTwo) {
  float s[] = {1, 2, 3, 4};
  const float q[] = {1, 1};
  const float k[] = {1, -1};
  const float v[] = {10, 20};
  const float alpha[] = {0.5f, 2.0f};
  float o[2];
  Scalar().gla_step_f32(s, q, k, v, alpha, 2, 2, o);
  // Row 0: 0.5 * {1, 2} + {10, 20}; row 1: 2 * {3, 4} - {10, 20}.
  const float want_s[] = {10.5f, 21.0f, -4.0f, -12.0f};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(s[i], want_s[i]) << i;
  EXPECT_FLOAT_EQ(o[0], 6.5f);
  EXPECT_FLOAT_EQ(o[1], 9.0f);
}

TEST(Dispatch, ListStartsWithScalarAndActiveIsSupported) {
  ASSERT_FALSE(AllVariants().empty());
  EXPECT_EQ(AllVariants()[0], &Scalar());
  std::set<std::string> names;
  for (const KernelTable* t : AllVariants()) EXPECT_TRUE(names.insert(t->name).second);
  EXPECT_TRUE(Active().supported());
  EXPECT_TRUE(names.count(Active().name));
  EXPECT_EQ(&Active(), &Active());
}

TEST(Dispatch, EveryTableIsComplete) {
  for (const KernelTable* t : AllVariants()) {
    ASSERT_NE(t->name, nullptr);
    SCOPED_TRACE(t->name);
    EXPECT_NE(t->supported, nullptr);
    EXPECT_NE(t->gemv_f32, nullptr);
    EXPECT_NE(t->dot_f32, nullptr);
    EXPECT_NE(t->axpy_f32, nullptr);
    EXPECT_NE(t->dot_f16, nullptr);
    EXPECT_NE(t->axpy_f16, nullptr);
    EXPECT_NE(t->rmsnorm_f32, nullptr);
    EXPECT_NE(t->swiglu_f32, nullptr);
    EXPECT_NE(t->gelu_f32, nullptr);
    EXPECT_NE(t->softmax_f32, nullptr);
    EXPECT_NE(t->rope_f32, nullptr);
    EXPECT_NE(t->short_conv_f32, nullptr);
    EXPECT_NE(t->gla_step_f32, nullptr);
    EXPECT_NE(t->sum_f32, nullptr);
  }
}

// ---- every variant against the scalar reference ------------------------------------------

class KernelParityTest : public ::testing::TestWithParam<const KernelTable*> {
 protected:
  void SetUp() override {
    if (!GetParam()->supported()) {
      GTEST_SKIP() << "this CPU cannot run the \"" << GetParam()->name << "\" kernels";
    }
  }
  const KernelTable& k() const { return *GetParam(); }
  const KernelTable& ref() const { return Scalar(); }
};

INSTANTIATE_TEST_SUITE_P(Variants, KernelParityTest,
                         ::testing::ValuesIn(AllVariants().begin(), AllVariants().end()),
                         [](const auto& info) { return std::string(info.param->name); });

TEST_P(KernelParityTest, Gemv) {
  const float kSentinel = 12345.0f;
  for (size_t rows : {1, 3, 4, 5, 7, 8, 9, 13, 17}) {
    for (size_t cols : kSizes) {
      for (size_t pad : {0, 3}) {
        const size_t ldw = cols + pad;
        const std::vector<float> w = Random(rows * ldw, -1, 1, rows * 7 + cols);
        const std::vector<float> x = Random(cols, -1, 1, cols);
        std::vector<float> want(rows + 1, kSentinel), got(rows + 1, kSentinel);
        ref().gemv_f32(w.data(), ldw, rows, cols, x.data(), want.data());
        k().gemv_f32(w.data(), ldw, rows, cols, x.data(), got.data());
        EXPECT_LE(Nmse(got.data(), want.data(), rows), kMaxNmse)
            << rows << "x" << cols << " ldw " << ldw;
        EXPECT_EQ(got[rows], kSentinel) << "wrote past y: " << rows << "x" << cols;
      }
    }
  }
}

TEST_P(KernelParityTest, GemvEmpty) {
  const float w[8] = {};
  const float x[1] = {};
  float y[9] = {7, 7, 7, 7, 7, 7, 7, 7, 7};
  k().gemv_f32(w, 0, 9, 0, x, y);  // zero columns: every y is an empty sum
  for (float v : y) EXPECT_EQ(v, 0.0f);
  y[0] = 7;
  k().gemv_f32(w, 1, 0, 1, x, y);  // zero rows: nothing written
  EXPECT_EQ(y[0], 7.0f);
}

TEST_P(KernelParityTest, DotAndSum) {
  for (size_t n : kSizes) {
    // Mostly positive values keep the sums away from zero, where a relative error means
    // nothing.
    const std::vector<float> a = Random(n, -0.5f, 1, n);
    const std::vector<float> b = Random(n, -0.5f, 1, n + 1);
    EXPECT_LE(Nmse(k().dot_f32(a.data(), b.data(), n), ref().dot_f32(a.data(), b.data(), n)),
              kMaxNmse)
        << n;
    EXPECT_LE(Nmse(k().sum_f32(a.data(), n), ref().sum_f32(a.data(), n)), kMaxNmse) << n;
  }
  EXPECT_EQ(k().sum_f32(nullptr, 0), 0.0f);
  EXPECT_EQ(k().dot_f32(nullptr, nullptr, 0), 0.0f);
}

TEST_P(KernelParityTest, Axpy) {
  for (size_t n : kSizes) {
    const std::vector<float> x = Random(n, -1, 1, n);
    std::vector<float> want = Random(n + 1, -1, 1, n + 1);
    std::vector<float> got = want;
    ref().axpy_f32(-0.75f, x.data(), want.data(), n);
    k().axpy_f32(-0.75f, x.data(), got.data(), n);
    EXPECT_LE(Nmse(got.data(), want.data(), n), kMaxNmse) << n;
    EXPECT_EQ(got[n], want[n]) << "wrote past y: " << n;
  }
}

TEST_P(KernelParityTest, DotF16) {
  for (size_t n : kSizes) {
    const std::vector<float> a = Random(n, -0.5f, 1, n);
    const std::vector<uint16_t> b = Halves(Random(n, -0.5f, 1, n + 1));
    EXPECT_LE(Nmse(k().dot_f16(a.data(), b.data(), n), ref().dot_f16(a.data(), b.data(), n)),
              kMaxNmse)
        << n;
  }
  EXPECT_EQ(k().dot_f16(nullptr, nullptr, 0), 0.0f);
}

TEST_P(KernelParityTest, AxpyF16) {
  for (size_t n : kSizes) {
    const std::vector<uint16_t> x = Halves(Random(n, -1, 1, n));
    std::vector<float> want = Random(n + 1, -1, 1, n + 1);
    std::vector<float> got = want;
    ref().axpy_f16(-0.75f, x.data(), want.data(), n);
    k().axpy_f16(-0.75f, x.data(), got.data(), n);
    EXPECT_LE(Nmse(got.data(), want.data(), n), kMaxNmse) << n;
    EXPECT_EQ(got[n], want[n]) << "wrote past y: " << n;
  }
}

TEST_P(KernelParityTest, RmsNormAlsoInPlace) {
  for (size_t n : kSizes) {
    const std::vector<float> x = Random(n, -3, 3, n);
    const std::vector<float> w = Random(n, 0.5f, 1.5f, n + 1);
    std::vector<float> want(n), got(n);
    ref().rmsnorm_f32(x.data(), w.data(), n, 1e-5f, want.data());
    k().rmsnorm_f32(x.data(), w.data(), n, 1e-5f, got.data());
    EXPECT_LE(Nmse(got, want), kMaxNmse) << n;
    std::vector<float> in_place = x;
    k().rmsnorm_f32(in_place.data(), w.data(), n, 1e-5f, in_place.data());
    EXPECT_EQ(in_place, got) << n;
  }
}

TEST_P(KernelParityTest, SwiGluAlsoInPlace) {
  for (size_t n : kSizes) {
    const std::vector<float> gate = Random(n, -12, 12, n);
    const std::vector<float> up = Random(n, -2, 2, n + 1);
    std::vector<float> want(n), got(n);
    ref().swiglu_f32(gate.data(), up.data(), n, want.data());
    k().swiglu_f32(gate.data(), up.data(), n, got.data());
    EXPECT_LE(Nmse(got, want), kMaxNmse) << n;
    std::vector<float> in_place = gate;
    k().swiglu_f32(in_place.data(), up.data(), n, in_place.data());
    EXPECT_EQ(in_place, got) << n;
  }
}

TEST_P(KernelParityTest, SwiGluExtremeGates) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> gate = {-inf, -1000, -104, -90, -88, -50, -3, -1e-3f, 0,
                                   1e-3f, 3,    50,   88,  90,  104, 1000, inf};
  const std::vector<float> up(gate.size(), 1.5f);
  std::vector<float> want(gate.size()), got(gate.size());
  ref().swiglu_f32(gate.data(), up.data(), gate.size(), want.data());
  k().swiglu_f32(gate.data(), up.data(), gate.size(), got.data());
  for (size_t i = 0; i < gate.size(); ++i) {
    // The reference gives NaN for -inf (inf / inf) and inf for inf: no finite answer.
    if (!std::isfinite(want[i])) continue;
    EXPECT_NEAR(got[i], want[i], 1e-5f * std::fabs(want[i]) + 1e-30f) << "gate " << gate[i];
  }
}

TEST_P(KernelParityTest, Gelu) {
  for (size_t n : kSizes) {
    const std::vector<float> x = Random(n, -6, 6, n);
    std::vector<float> want(n), got(n);
    ref().gelu_f32(x.data(), n, want.data());
    k().gelu_f32(x.data(), n, got.data());
    EXPECT_LE(Nmse(got, want), kMaxNmse) << n;
  }
}

TEST_P(KernelParityTest, Softmax) {
  for (size_t n : kSizes) {
    for (float range : {1.0f, 30.0f}) {
      std::vector<float> want = Random(n, -range, range, n);
      std::vector<float> got = want;
      ref().softmax_f32(want.data(), n);
      k().softmax_f32(got.data(), n);
      EXPECT_LE(Nmse(got, want), kMaxNmse) << n << " range " << range;
    }
  }
}

TEST_P(KernelParityTest, SoftmaxWithMaskedEntries) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> want = Random(37, -5, 5, 37);
  for (size_t i = 0; i < want.size(); i += 3) want[i] = -inf;
  std::vector<float> got = want;
  ref().softmax_f32(want.data(), want.size());
  k().softmax_f32(got.data(), got.size());
  EXPECT_LE(Nmse(got, want), kMaxNmse);
  for (size_t i = 0; i < got.size(); i += 3) EXPECT_EQ(got[i], 0.0f) << i;
}

TEST_P(KernelParityTest, Rope) {
  for (size_t heads : {1, 3, 5}) {
    for (size_t head_dim : {2, 14, 32, 34, 64, 66, 128}) {
      const size_t half = head_dim / 2;
      std::vector<float> want = Random(heads * head_dim, -2, 2, heads * 100 + head_dim);
      std::vector<float> got = want;
      std::vector<float> cos(half), sin(half);
      for (size_t i = 0; i < half; ++i) {
        const float angle = 0.37f * static_cast<float>(i + 1);
        cos[i] = std::cos(angle);
        sin[i] = std::sin(angle);
      }
      ref().rope_f32(want.data(), heads, head_dim, cos.data(), sin.data());
      k().rope_f32(got.data(), heads, head_dim, cos.data(), sin.data());
      EXPECT_LE(Nmse(got, want), kMaxNmse) << heads << " x " << head_dim;
    }
  }
}

TEST_P(KernelParityTest, ShortConvWithStateCarry) {
  for (size_t channels : {1, 7, 15, 16, 17, 33, 100}) {
    for (size_t len : {1, 2, 3, 4, 9}) {
      for (size_t tokens : {1, 2, 5, 10}) {
        // Padded strides, so that a kernel that confuses stride and width fails.
        const size_t ld_in = channels + 3, ld_state = channels + 5, ld_out = channels + 1;
        const unsigned seed = static_cast<unsigned>(channels * 100 + len * 10 + tokens);
        const std::vector<float> in = Random(2 * tokens * ld_in, -1, 1, seed);
        const std::vector<float> taps = Random(channels * len, -1, 1, seed + 1);
        std::vector<float> state_want = Random(len * ld_state, -1, 1, seed + 2);
        std::vector<float> state_got = state_want;
        std::vector<float> out_want(tokens * ld_out, 0.0f), out_got(tokens * ld_out, 0.0f);
        // Two calls (prefill then more tokens) exercise the state carried in between.
        for (int call = 0; call < 2; ++call) {
          const float* x = in.data() + call * tokens * ld_in;
          ref().short_conv_f32(x, ld_in, tokens, taps.data(), len, state_want.data(),
                               ld_state, channels, out_want.data(), ld_out);
          k().short_conv_f32(x, ld_in, tokens, taps.data(), len, state_got.data(), ld_state,
                             channels, out_got.data(), ld_out);
          EXPECT_LE(Nmse(out_got, out_want), kMaxNmse)
              << "channels " << channels << " len " << len << " tokens " << tokens;
          EXPECT_LE(Nmse(state_got, state_want), kMaxNmse)
              << "channels " << channels << " len " << len << " tokens " << tokens;
        }
      }
    }
  }
}

TEST_P(KernelParityTest, GlaStep) {
  for (size_t dk : {1, 7, 16, 17, 64}) {
    for (size_t dv : {1, 7, 16, 17, 33, 64}) {
      const unsigned seed = static_cast<unsigned>(dk * 100 + dv);
      std::vector<float> state_want = Random(dk * dv, -1, 1, seed);
      std::vector<float> state_got = state_want;
      for (int step = 0; step < 3; ++step) {
        const std::vector<float> q = Random(dk, -1, 1, seed + 10 * step + 1);
        const std::vector<float> kk = Random(dk, -1, 1, seed + 10 * step + 2);
        const std::vector<float> v = Random(dv, -1, 1, seed + 10 * step + 3);
        const std::vector<float> alpha = Random(dk, 0.5f, 1, seed + 10 * step + 4);
        std::vector<float> o_want(dv), o_got(dv);
        ref().gla_step_f32(state_want.data(), q.data(), kk.data(), v.data(), alpha.data(), dk,
                           dv, o_want.data());
        k().gla_step_f32(state_got.data(), q.data(), kk.data(), v.data(), alpha.data(), dk, dv,
                         o_got.data());
        EXPECT_LE(Nmse(o_got, o_want), kMaxNmse) << dk << " x " << dv;
        EXPECT_LE(Nmse(state_got, state_want), kMaxNmse) << dk << " x " << dv;
      }
    }
  }
}

}  // namespace
}  // namespace nas::liv::kernels
