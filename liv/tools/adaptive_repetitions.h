// The adaptive repetition loop of one measurement point (one prompt length, one decode
// depth): warm-ups that are discarded, then timed repetitions until the distribution-free
// 95% confidence interval of the median (stats.h) lies within `target_ci` of the median, or
// a maximum count or wall time is reached, never stopping before `min_repetitions`.
// A bandwidth probe (optional) runs before the first timed repetition and after each one;
// if the probes of the point spread by more than kProbeSpreadFactor x target_ci
// (max/min - 1), the machine changed under the measurement: the bound is reported as not
// met, and the loop stops once min_repetitions are done, since more probes can only widen
// the spread. Every outcome says why the bound was or was not met, so a noisy machine is
// reported rather than hidden.
//
// The repetition, the probe and the clock are injected callables, so the loop is tested
// with synthetic sequences. Stateless; thread-safe as far as its callables are.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/tools/stats.h"

namespace nas::liv {

// Probes of one point may differ by this many target widths before the point is noisy.
inline constexpr double kProbeSpreadFactor = 2.0;
inline constexpr double kConfidence = 0.95;

struct AdaptiveOptions {
  uint32_t warmups = 1;
  uint32_t min_repetitions = 6;
  uint32_t max_repetitions = 30;
  double max_seconds = 60;  // wall time of the point, warm-ups and probes included
  double target_ci = 0.02;  // relative half-width of the interval that meets the bound
};

struct AdaptiveCallbacks {
  // Performs one repetition; returns the time it measured (any unit, > 0).
  std::function<absl::StatusOr<double>()> repetition;
  // Memory read bandwidth in GB/s right now; empty = no noise probe.
  std::function<double()> probe;
  // Seconds on a monotonic clock; empty = std::chrono::steady_clock.
  std::function<double()> now_seconds;
  // Progress lines ("warm-up 1/1", "repetition 4 of at most 30"); may be empty.
  std::function<void(const std::string&)> progress;
};

struct AdaptiveResult {
  std::vector<double> samples;      // timed repetitions in order; warm-ups excluded
  std::vector<double> probes_gbps;  // before the first repetition, then after each
  MedianInterval ci;                // 95% interval of the median of samples
  double median = 0;
  double relative_half_width = 0;   // RelativeHalfWidth(ci, median)
  double probe_spread = 0;          // max/min - 1 of probes_gbps (0 without probes)
  bool noisy = false;               // probe_spread > kProbeSpreadFactor * target_ci
  bool bound_met = false;
  std::string bound_reason;         // "" iff bound_met
  double seconds = 0;               // wall time of the point
};

// Checks the options; errors name liv-measure's flags.
absl::Status ValidateAdaptiveOptions(const AdaptiveOptions& options);

// The smallest n for which the 95% interval of the median exists (6).
uint32_t MinimumRepetitionsForInterval();

// max/min - 1 of the values; 0 for none or a non-positive minimum.
double Spread(const std::vector<double>& values);

// Runs the loop; the first error of a repetition is returned as is.
absl::StatusOr<AdaptiveResult> RunAdaptiveRepetitions(const AdaptiveOptions& options,
                                                      const AdaptiveCallbacks& callbacks);

}  // namespace nas::liv
