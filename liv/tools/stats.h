// Robust summary statistics of repeated measurements (median, p10, p90, mean, stddev,
// min, max, count, and the 95% confidence interval of the median), as liv-measure reports
// them. Percentiles interpolate linearly between order statistics. The interval of the
// median is distribution-free: the pair of order statistics (x(j), x(n+1-j)) with the
// largest j whose binomial coverage P(j <= B <= n-j), B ~ Binomial(n, 1/2), is at least
// the confidence; at 95% it needs n >= 6 (for n = 5 the widest pair, min and max, covers
// only 93.75%). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "nlohmann/json.hpp"

namespace nas::liv {

// A confidence interval of the median. Ranks are 1-based order statistics.
struct MedianInterval {
  bool available = false;  // false when n is too small for the confidence
  size_t lower_rank = 0, upper_rank = 0;
  double low = 0, high = 0;
  double coverage = 0;     // the exact binomial coverage of the pair
};

struct Summary {
  size_t count = 0;
  double median = 0, p10 = 0, p90 = 0, mean = 0, stddev = 0, min = 0, max = 0;
  MedianInterval ci95;
};

// The q-th quantile (0 <= q <= 1) of the samples; 0 for none.
double Quantile(std::vector<double> samples, double q);

// The ranks (and coverage) of the confidence interval of the median of n samples; values
// left at zero. Not available for n where even (x(1), x(n)) covers less than `confidence`.
MedianInterval MedianIntervalRanks(size_t n, double confidence = 0.95);

// The interval with its values: x(lower_rank) and x(upper_rank) of the sorted samples.
MedianInterval MedianConfidenceInterval(std::vector<double> samples, double confidence = 0.95);

// The largest distance from the median to an end of the interval, as a fraction of the
// median: the figure compared with liv-measure's --target-ci. Infinity when the interval
// is unavailable or the median is not positive.
double RelativeHalfWidth(const MedianInterval& ci, double median);

// stddev is the sample standard deviation (n - 1); 0 for fewer than two samples.
// ci95 is MedianConfidenceInterval(samples, 0.95).
Summary Summarize(const std::vector<double>& samples);

// {low, high} of an available interval; null otherwise.
nlohmann::json ToJson(const MedianInterval& ci);
// Every field of the summary; "ci95" is {low, high} or null (fewer than 6 samples).
nlohmann::json ToJson(const Summary& s);

}  // namespace nas::liv
