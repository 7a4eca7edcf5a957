#include "liv/runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "absl/strings/str_cat.h"

namespace nas::liv {

absl::Status ValidateSamplingOptions(const SamplingOptions& o) {
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature)) {
    return absl::InvalidArgumentError(
        absl::StrCat("temperature: must be a finite number >= 0, got ", o.temperature));
  }
  if (!(o.min_p >= 0 && o.min_p <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("min-p: must be in [0, 1], got ", o.min_p));
  }
  if (!(o.repetition_penalty >= 1) || !std::isfinite(o.repetition_penalty)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "repetition penalty: must be a finite number >= 1, got ", o.repetition_penalty));
  }
  if (o.repetition_window < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("repetition window: must be >= 0, got ", o.repetition_window));
  }
  return absl::OkStatus();
}

Sampler::Sampler(const SamplingOptions& options) : options_(options), rng_(options.seed) {}

std::vector<double> Sampler::PenalisedLogits(std::span<const float> logits,
                                             std::span<const int> history) const {
  std::vector<double> out(logits.begin(), logits.end());
  if (options_.repetition_penalty == 1 || options_.repetition_window == 0) return out;
  const size_t window = std::min(history.size(), static_cast<size_t>(options_.repetition_window));
  std::unordered_set<int> seen(history.end() - static_cast<std::ptrdiff_t>(window), history.end());
  for (int token : seen) {
    if (token < 0 || static_cast<size_t>(token) >= out.size()) continue;
    double& l = out[static_cast<size_t>(token)];
    l = l > 0 ? l / options_.repetition_penalty : l * options_.repetition_penalty;
  }
  return out;
}

std::vector<double> Sampler::Distribution(std::span<const float> logits,
                                          std::span<const int> history) const {
  const std::vector<double> l = PenalisedLogits(logits, history);
  std::vector<double> p(l.size(), 0.0);
  if (l.empty()) return p;
  const size_t best = static_cast<size_t>(std::max_element(l.begin(), l.end()) - l.begin());
  if (options_.temperature == 0) {
    p[best] = 1;
    return p;
  }
  // min-p on the untempered distribution: p_i / p_max = exp(l_i - l_max).
  const double floor = options_.min_p > 0 ? std::log(options_.min_p) : -INFINITY;
  double sum = 0;
  for (size_t i = 0; i < l.size(); ++i) {
    const double d = l[i] - l[best];
    if (d < floor) continue;
    p[i] = std::exp(d / options_.temperature);
    sum += p[i];
  }
  for (double& x : p) x /= sum;
  return p;
}

int Sampler::Sample(std::span<const float> logits, std::span<const int> history) {
  const std::vector<double> p = Distribution(logits, history);
  if (options_.temperature == 0) {
    return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  }
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;  // [0, 1)
  double cumulative = 0;
  int last = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0) continue;
    cumulative += p[i];
    last = static_cast<int>(i);
    if (u < cumulative) return last;
  }
  return last;  // rounding left u above the last sum
}

}  // namespace nas::liv
