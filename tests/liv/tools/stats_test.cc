#include "liv/tools/stats.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace nas::liv
