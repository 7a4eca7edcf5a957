#include "liv/tools/adaptive_repetitions.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace nas::liv {
namespace {

std::string Percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", fraction * 100);
  return buffer;
}

std::string Gbps(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// "2%" for 0.02 (the target as the user wrote it).
std::string TargetPercent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g%%", fraction * 100);
  return buffer;
}

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

uint32_t MinimumRepetitionsForInterval() {
  uint32_t n = 1;
  while (!MedianIntervalRanks(n, kConfidence).available) ++n;
  return n;
}

double Spread(const std::vector<double>& values) {
  if (values.empty()) return 0;
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return *lo > 0 ? *hi / *lo - 1.0 : 0;
}

absl::Status ValidateAdaptiveOptions(const AdaptiveOptions& o) {
  if (o.min_repetitions < 1) {
    return absl::InvalidArgumentError("--min-repetitions: must be >= 1");
  }
  if (o.max_repetitions < o.min_repetitions) {
    return absl::InvalidArgumentError(absl::StrCat("--max-repetitions: ", o.max_repetitions,
                                                   " is smaller than --min-repetitions (",
                                                   o.min_repetitions, ")"));
  }
  if (!(o.max_seconds > 0) || !std::isfinite(o.max_seconds)) {
    return absl::InvalidArgumentError("--max-seconds: must be > 0");
  }
  if (!(o.target_ci > 0 && o.target_ci < 1)) {
    return absl::InvalidArgumentError("--target-ci: must be in (0, 1), e.g. 0.02 for 2%");
  }
  return absl::OkStatus();
}

absl::StatusOr<AdaptiveResult> RunAdaptiveRepetitions(const AdaptiveOptions& o,
                                                      const AdaptiveCallbacks& cb) {
  if (auto status = ValidateAdaptiveOptions(o); !status.ok()) return status;
  if (!cb.repetition) return absl::InvalidArgumentError("no repetition to run");
  auto now = [&] { return cb.now_seconds ? cb.now_seconds() : SteadySeconds(); };
  auto progress = [&](const std::string& line) {
    if (cb.progress) cb.progress(line);
  };
  const double start = now();
  AdaptiveResult r;

  for (uint32_t w = 0; w < o.warmups; ++w) {
    progress(absl::StrCat("warm-up ", w + 1, "/", o.warmups));
    auto discarded = cb.repetition();
    if (!discarded.ok()) return discarded.status();
  }
  if (cb.probe) r.probes_gbps.push_back(cb.probe());

  const double noise_limit = kProbeSpreadFactor * o.target_ci;
  enum class Stop { kBoundMet, kNoisy, kMaxRepetitions, kTimeLimit } stop = Stop::kBoundMet;
  while (true) {
    const size_t n = r.samples.size() + 1;
    std::string line = absl::StrCat("repetition ", n, " (", o.min_repetitions, " to ",
                                    o.max_repetitions, ")");
    if (r.ci.available) {
      absl::StrAppend(&line, ", interval so far ", Percent(r.relative_half_width),
                      " of the median");
    }
    progress(line);
    auto sample = cb.repetition();
    if (!sample.ok()) return sample.status();
    r.samples.push_back(*sample);
    if (cb.probe) r.probes_gbps.push_back(cb.probe());
    const double elapsed = now() - start;

    const Summary s = Summarize(r.samples);
    r.median = s.median;
    r.ci = s.ci95;
    r.relative_half_width = RelativeHalfWidth(r.ci, r.median);
    r.probe_spread = Spread(r.probes_gbps);
    r.noisy = r.probe_spread > noise_limit;
    r.seconds = elapsed;
    if (n < o.min_repetitions) continue;
    if (r.noisy) {
      stop = Stop::kNoisy;
      break;
    }
    if (r.relative_half_width <= o.target_ci) {
      stop = Stop::kBoundMet;
      break;
    }
    if (n >= o.max_repetitions) {
      stop = Stop::kMaxRepetitions;
      break;
    }
    if (elapsed >= o.max_seconds) {
      stop = Stop::kTimeLimit;
      break;
    }
  }

  const std::string interval_note =
      absl::StrCat(": the 95% interval reaches ", Percent(r.relative_half_width),
                   " from the median (target ", TargetPercent(o.target_ci), ")");
  r.bound_met = false;
  if (!r.ci.available) {
    r.bound_reason = absl::StrCat("fewer than ", MinimumRepetitionsForInterval(),
                                  " repetitions: no 95% interval");
  } else if (stop == Stop::kNoisy) {
    auto [lo, hi] = std::minmax_element(r.probes_gbps.begin(), r.probes_gbps.end());
    r.bound_reason = absl::StrCat("memory bandwidth varied by ", Percent(r.probe_spread),
                                  " during the repetitions (", Gbps(*lo), "..", Gbps(*hi),
                                  " GB/s): machine noisy");
  } else if (stop == Stop::kBoundMet) {
    r.bound_met = true;
  } else if (stop == Stop::kMaxRepetitions) {
    r.bound_reason =
        absl::StrCat("maximum repetitions (", o.max_repetitions, ") reached", interval_note);
  } else {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", o.max_seconds);
    r.bound_reason = absl::StrCat("time limit (", seconds, " s) reached", interval_note);
  }
  return r;
}

}  // namespace nas::liv
