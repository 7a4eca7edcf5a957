// The sampler: greedy at temperature 0, min-p's cut, the CTRL repetition penalty, the
// temperature's effect on the distribution, one seed one sequence, and the draws following
// the distribution (a fixed seed, so the counts are the same on every run).
#include "liv/runtime/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nas::liv {
namespace {

SamplingOptions Options(double temperature, double min_p, double penalty) {
  SamplingOptions o;
  o.temperature = temperature;
  o.min_p = min_p;
  o.repetition_penalty = penalty;
  return o;
}

TEST(SamplerTest, TemperatureZeroIsThePenalisedArgmax) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.9f, -1.0f};
  Sampler greedy(Options(0, 0.15, 1));
  EXPECT_EQ(greedy.Sample(logits, {}), 1);
  // Token 1 was just produced: 3.0 / 1.05 = 2.857 < 2.9, so token 2 wins.
  Sampler penalised(Options(0, 0.15, 1.05));
  const std::vector<int> history = {1};
  EXPECT_EQ(penalised.Sample(logits, history), 2);
  // Ties go to the lowest id.
  EXPECT_EQ(greedy.Sample(std::vector<float>{0.5f, 2.0f, 2.0f}, {}), 1);
}

TEST(SamplerTest, RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOnce) {
  const std::vector<float> logits = {2.0f, -2.0f, 1.0f};
  // Temperature 1, no min-p: the distribution is the softmax of the penalised logits.
  Sampler s(Options(1, 0, 2));
  const std::vector<int> history = {0, 1, 0, 0};  // token 0 three times: penalised once
  const std::vector<double> p = s.Distribution(logits, history);
  const double e0 = std::exp(1.0), e1 = std::exp(-4.0), e2 = std::exp(1.0);
  const double sum = e0 + e1 + e2;
  EXPECT_NEAR(p[0], e0 / sum, 1e-15);
  EXPECT_NEAR(p[1], e1 / sum, 1e-15);
  EXPECT_NEAR(p[2], e2 / sum, 1e-15);
  // Outside the window, no penalty.
  SamplingOptions o = Options(1, 0, 2);
  o.repetition_window = 1;
  const std::vector<int> old = {1, 2};  // only token 2 is in the window of 1
  const std::vector<double> q = Sampler(o).Distribution(logits, old);
  const double f0 = std::exp(2.0), f1 = std::exp(-2.0), f2 = std::exp(0.5);
  EXPECT_NEAR(q[1], f1 / (f0 + f1 + f2), 1e-15);
}

TEST(SamplerTest, MinPKeepsTokensAtLeastMinPTimesTheMostLikely) {
  // Untempered probabilities relative to the best: 1, e^-1 = 0.368, e^-2 = 0.135, e^-3.
  const std::vector<float> logits = {5.0f, 4.0f, 3.0f, 2.0f};
  Sampler s(Options(1, 0.15, 1));
  const std::vector<double> p = s.Distribution(logits, {});
  EXPECT_GT(p[0], 0);
  EXPECT_GT(p[1], 0);
  EXPECT_EQ(p[2], 0);  // 0.135 < 0.15
  EXPECT_EQ(p[3], 0);
  EXPECT_NEAR(p[0], 1 / (1 + std::exp(-1.0)), 1e-15);
  // The cut is made before the temperature: a low temperature does not bring token 2 back
  // and sharpens what is left.
  const std::vector<double> cold = Sampler(Options(0.5, 0.15, 1)).Distribution(logits, {});
  EXPECT_EQ(cold[2], 0);
  EXPECT_NEAR(cold[0], 1 / (1 + std::exp(-2.0)), 1e-15);
}

TEST(SamplerTest, OneSeedOneSequence) {
  const std::vector<float> logits = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
  auto draw = [&](uint64_t seed) {
    SamplingOptions o = Options(1, 0, 1);
    o.seed = seed;
    Sampler s(o);
    std::vector<int> out;
    for (int i = 0; i < 64; ++i) out.push_back(s.Sample(logits, {}));
    return out;
  };
  EXPECT_EQ(draw(7), draw(7));
  EXPECT_NE(draw(7), draw(8));
}

TEST(SamplerTest, DrawsFollowTheDistribution) {
  const std::vector<float> logits = {1.0f, 2.0f, 0.5f, 1.5f};
  SamplingOptions o = Options(0.8, 0.05, 1);
  o.seed = 42;
  Sampler s(o);
  const std::vector<double> p = s.Distribution(logits, {});
  constexpr int kDraws = 200000;
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(s.Sample(logits, {}))];
  for (size_t i = 0; i < p.size(); ++i) {
    // Five standard deviations of a binomial count.
    const double sd = std::sqrt(kDraws * p[i] * (1 - p[i]));
    EXPECT_NEAR(counts[i], kDraws * p[i], 5 * sd) << "token " << i;
  }
}

TEST(SamplerTest, OptionsOutOfRangeNameTheOption) {
  EXPECT_EQ(ValidateSamplingOptions(Options(-0.1, 0.1, 1)).message(),
            "temperature: must be a finite number >= 0, got -0.1");
  EXPECT_EQ(ValidateSamplingOptions(Options(0.3, 1.5, 1)).message(),
            "min-p: must be in [0, 1], got 1.5");
  EXPECT_EQ(ValidateSamplingOptions(Options(0.3, 0.1, 0.9)).message(),
            "repetition penalty: must be a finite number >= 1, got 0.9");
  EXPECT_TRUE(ValidateSamplingOptions(SamplingOptions{}).ok());
  const SamplingOptions defaults;
  EXPECT_EQ(defaults.temperature, 0.3);  // the LFM2 model card's recommendation
  EXPECT_EQ(defaults.min_p, 0.15);
  EXPECT_EQ(defaults.repetition_penalty, 1.05);
}

}  // namespace
}  // namespace nas::liv
