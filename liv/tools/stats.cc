#include "liv/tools/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nas::liv {

double Quantile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = q * static_cast<double>(samples.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, samples.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return samples[lo] + frac * (samples[hi] - samples[lo]);
}

MedianInterval MedianIntervalRanks(size_t n, double confidence) {
  MedianInterval ci;
  if (n == 0) return ci;
  // pmf(i) = C(n, i) / 2^n in log space (exact enough for any n a protocol runs);
  // the lower tail P(B <= j - 1) grows with j, the coverage 1 - 2 * tail shrinks.
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double log_n1 = std::lgamma(static_cast<double>(n) + 1);
  double tail = 0;  // P(B <= j - 1)
  for (size_t j = 1; 2 * j <= n + 1; ++j) {
    const double i = static_cast<double>(j - 1);
    tail += std::exp(log_n1 - std::lgamma(i + 1) - std::lgamma(static_cast<double>(n) - i + 1) +
                     log_half_n);
    const double coverage = 1.0 - 2.0 * tail;
    // A tiny tolerance so that exact ties with the confidence are not lost to rounding.
    if (coverage < confidence - 1e-12) break;
    ci.available = true;
    ci.lower_rank = j;
    ci.upper_rank = n + 1 - j;
    ci.coverage = coverage;
  }
  return ci;
}

MedianInterval MedianConfidenceInterval(std::vector<double> samples, double confidence) {
  MedianInterval ci = MedianIntervalRanks(samples.size(), confidence);
  if (!ci.available) return ci;
  std::sort(samples.begin(), samples.end());
  ci.low = samples[ci.lower_rank - 1];
  ci.high = samples[ci.upper_rank - 1];
  return ci;
}

double RelativeHalfWidth(const MedianInterval& ci, double median) {
  if (!ci.available || !(median > 0)) return std::numeric_limits<double>::infinity();
  return std::max(median - ci.low, ci.high - median) / median;
}

Summary Summarize(const std::vector<double>& samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  s.median = Quantile(samples, 0.5);
  s.p10 = Quantile(samples, 0.1);
  s.p90 = Quantile(samples, 0.9);
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / s.count;
  double ss = 0;
  for (double x : samples) ss += (x - s.mean) * (x - s.mean);
  s.stddev = s.count > 1 ? std::sqrt(ss / (s.count - 1)) : 0;
  auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  s.min = *lo;
  s.max = *hi;
  s.ci95 = MedianConfidenceInterval(samples, 0.95);
  return s;
}

nlohmann::json ToJson(const MedianInterval& ci) {
  if (!ci.available) return nullptr;
  return {{"low", ci.low}, {"high", ci.high}};
}

nlohmann::json ToJson(const Summary& s) {
  return {{"median", s.median}, {"p10", s.p10},       {"p90", s.p90}, {"mean", s.mean},
          {"stddev", s.stddev}, {"min", s.min},       {"max", s.max}, {"repetitions", s.count},
          {"ci95", ToJson(s.ci95)}};
}

}  // namespace nas::liv
