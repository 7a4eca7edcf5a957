// Robust summary statistics of repeated measurements (median, p10, p90, mean, stddev,
// min, max, count), as liv-measure reports them. Percentiles interpolate linearly between
// order statistics. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "nlohmann/json.hpp"

namespace nas::liv {

struct Summary {
  size_t count = 0;
  double median = 0, p10 = 0, p90 = 0, mean = 0, stddev = 0, min = 0, max = 0;
};

// The q-th quantile (0 <= q <= 1) of the samples; 0 for none.
double Quantile(std::vector<double> samples, double q);

// stddev is the sample standard deviation (n - 1); 0 for fewer than two samples.
Summary Summarize(const std::vector<double>& samples);

nlohmann::json ToJson(const Summary& s);

}  // namespace nas::liv
