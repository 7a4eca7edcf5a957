#include "liv/tools/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace nas::liv {
namespace {

TEST(StatsTest, QuantilesInterpolateBetweenOrderStatistics) {
  const std::vector<double> x = {5, 1, 4, 2, 3};  // sorted: 1 2 3 4 5
  EXPECT_DOUBLE_EQ(Quantile(x, 0.5), 3);
  EXPECT_DOUBLE_EQ(Quantile(x, 0.1), 1.4);
  EXPECT_DOUBLE_EQ(Quantile(x, 0.9), 4.6);
  EXPECT_DOUBLE_EQ(Quantile(x, 0.0), 1);
  EXPECT_DOUBLE_EQ(Quantile(x, 1.0), 5);
  EXPECT_DOUBLE_EQ(Quantile({2, 4}, 0.5), 3);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0);
}

TEST(StatsTest, SummaryOfKnownSamples) {
  const Summary s = Summarize({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_NEAR(s.stddev, 2.138089935, 1e-9);  // sample standard deviation: sqrt(32 / 7)
  EXPECT_DOUBLE_EQ(s.min, 2);
  EXPECT_DOUBLE_EQ(s.max, 9);
  EXPECT_EQ(Summarize({3}).stddev, 0);
  const auto j = ToJson(s);
  EXPECT_EQ(j["repetitions"], 8);
  EXPECT_DOUBLE_EQ(j["p10"].get<double>(), Quantile({2, 4, 4, 4, 5, 5, 7, 9}, 0.1));
}

// Exact binomial coverage 1 - 2 P(B <= j - 1), B ~ Binomial(n, 1/2), by integer counting.
double Coverage(int n, int j) {
  double tail = 0, c = 1;  // c = C(n, i)
  for (int i = 0; i < j; ++i) {
    tail += c;
    c = c * (n - i) / (i + 1);
  }
  return 1.0 - 2.0 * tail / std::pow(2.0, n);
}

TEST(StatsTest, MedianIntervalRanksOfKnownSizes) {
  struct Case {
    size_t n, lower, upper;
  };
  // n = 6: (1, 6) covers 1 - 2/64 = 96.9%; n = 10: (2, 9) covers 97.9% and (3, 8) only
  // 89.1%; n = 20: (6, 15) covers 95.9% and (7, 14) only 88.5%; n = 30: (10, 21) 95.7%.
  const Case cases[] = {{6, 1, 6}, {7, 1, 7}, {8, 1, 8}, {9, 2, 8}, {10, 2, 9},
                        {20, 6, 15}, {30, 10, 21}};
  for (const Case& c : cases) {
    const MedianInterval ci = MedianIntervalRanks(c.n);
    ASSERT_TRUE(ci.available) << c.n;
    EXPECT_EQ(ci.lower_rank, c.lower) << c.n;
    EXPECT_EQ(ci.upper_rank, c.upper) << c.n;
    const int j = static_cast<int>(c.lower), n = static_cast<int>(c.n);
    EXPECT_NEAR(ci.coverage, Coverage(n, j), 1e-9) << c.n;
    EXPECT_GE(ci.coverage, 0.95) << c.n;
    EXPECT_LT(Coverage(n, j + 1), 0.95) << c.n;  // the narrowest pair that covers
  }
  EXPECT_DOUBLE_EQ(MedianIntervalRanks(6).coverage, 1.0 - 2.0 / 64);
  EXPECT_NEAR(MedianIntervalRanks(10).coverage, 1.0 - 22.0 / 1024, 1e-12);
  EXPECT_NEAR(MedianIntervalRanks(20).coverage, 1.0 - 2.0 * 21700 / 1048576, 1e-12);
  // Below 6 even (min, max) covers less than 95% (n = 5: 93.75%).
  for (size_t n = 0; n < 6; ++n) EXPECT_FALSE(MedianIntervalRanks(n).available) << n;
  // Other confidences: at 90%, n = 5 has (1, 5); at 99%, n = 8 is the first with one.
  EXPECT_TRUE(MedianIntervalRanks(5, 0.90).available);
  EXPECT_FALSE(MedianIntervalRanks(7, 0.99).available);
  EXPECT_TRUE(MedianIntervalRanks(8, 0.99).available);
}

TEST(StatsTest, MedianIntervalValuesAreTheOrderStatistics) {
  // Shuffled 1..20: x(6) = 6, x(15) = 15.
  std::vector<double> x(20);
  std::iota(x.begin(), x.end(), 1.0);
  std::vector<double> shuffled;
  for (int i = 0; i < 20; ++i) shuffled.push_back(x[(i * 7) % 20]);
  MedianInterval ci = MedianConfidenceInterval(shuffled);
  ASSERT_TRUE(ci.available);
  EXPECT_DOUBLE_EQ(ci.low, 6);
  EXPECT_DOUBLE_EQ(ci.high, 15);
  // n = 10 of 10, 20, ..., 100: x(2) = 20, x(9) = 90.
  ci = MedianConfidenceInterval({100, 10, 90, 20, 80, 30, 70, 40, 60, 50});
  EXPECT_DOUBLE_EQ(ci.low, 20);
  EXPECT_DOUBLE_EQ(ci.high, 90);
  // n = 6: min and max.
  ci = MedianConfidenceInterval({3, 9, 4, 5, 1, 7});
  EXPECT_DOUBLE_EQ(ci.low, 1);
  EXPECT_DOUBLE_EQ(ci.high, 9);
  EXPECT_DOUBLE_EQ(RelativeHalfWidth(ci, 4.5), 4.5 / 4.5);
  EXPECT_FALSE(MedianConfidenceInterval({1, 2, 3, 4, 5}).available);
  EXPECT_TRUE(std::isinf(RelativeHalfWidth(MedianConfidenceInterval({1, 2}), 1.5)));
}

TEST(StatsTest, SummaryCarriesTheIntervalOfTheMedian) {
  const Summary s = Summarize({10, 10.1, 9.9, 10.05, 9.95, 10});
  ASSERT_TRUE(s.ci95.available);
  EXPECT_LE(s.ci95.low, s.median);
  EXPECT_LE(s.median, s.ci95.high);
  const auto j = ToJson(s);
  EXPECT_DOUBLE_EQ(j["ci95"]["low"].get<double>(), 9.9);
  EXPECT_DOUBLE_EQ(j["ci95"]["high"].get<double>(), 10.1);
  EXPECT_TRUE(ToJson(Summarize({1, 2, 3}))["ci95"].is_null());
}

}  // namespace
}  // namespace nas::liv
