#include "liv/tools/stats.h"

#include <algorithm>
#include <cmath>
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
  return s;
}

nlohmann::json ToJson(const Summary& s) {
  return {{"median", s.median}, {"p10", s.p10},       {"p90", s.p90}, {"mean", s.mean},
          {"stddev", s.stddev}, {"min", s.min},       {"max", s.max}, {"repetitions", s.count}};
}

}  // namespace nas::liv
