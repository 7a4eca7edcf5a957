// The adaptive repetition loop on synthetic sequences: a stable point stops at the minimum
// with its bound met, a noisy one runs to the maximum or the time limit and says so, a
// point whose bandwidth probes spread is reported as measured on a noisy machine, and
// warm-ups are discarded.
#include "liv/tools/adaptive_repetitions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nas::liv {
namespace {

// Returns values[i % size] on the i-th call.
struct Sequence {
  std::vector<double> values;
  size_t calls = 0;
  double Next() { return values[calls++ % values.size()]; }
};

AdaptiveCallbacks Callbacks(Sequence& samples, Sequence* probes = nullptr) {
  AdaptiveCallbacks cb;
  cb.repetition = [&samples]() -> absl::StatusOr<double> { return samples.Next(); };
  if (probes != nullptr) cb.probe = [probes] { return probes->Next(); };
  cb.now_seconds = [] { return 0.0; };  // time never passes unless a test says so
  return cb;
}

TEST(AdaptiveRepetitionsTest, StablePointStopsAtTheMinimumWithItsBoundMet) {
  Sequence samples{{100.0, 100.5, 99.5, 100.2, 99.8, 100.1}};
  Sequence probes{{40.0, 40.3, 39.9}};
  AdaptiveOptions o;  // 1 warm-up, 6..30 repetitions, 60 s, 2%
  auto r = RunAdaptiveRepetitions(o, Callbacks(samples, &probes));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->samples.size(), 6u);
  EXPECT_EQ(samples.calls, 7u);  // the warm-up is run and discarded
  EXPECT_TRUE(r->bound_met);
  EXPECT_EQ(r->bound_reason, "");
  ASSERT_TRUE(r->ci.available);
  EXPECT_LE(r->ci.low, r->median);
  EXPECT_LE(r->median, r->ci.high);
  EXPECT_LE(r->relative_half_width, 0.02);
  EXPECT_EQ(r->probes_gbps.size(), 7u);  // before the first repetition and after each
  EXPECT_FALSE(r->noisy);
  EXPECT_NEAR(r->probe_spread, 40.3 / 39.9 - 1, 1e-12);
}

TEST(AdaptiveRepetitionsTest, WarmupsAreDiscarded) {
  Sequence samples{{1000.0, 1000.0, 50, 50, 50, 50, 50, 50, 50, 50}};
  AdaptiveOptions o;
  o.warmups = 2;
  auto r = RunAdaptiveRepetitions(o, Callbacks(samples));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples, std::vector<double>(6, 50.0));
  EXPECT_TRUE(r->bound_met);
  EXPECT_TRUE(r->probes_gbps.empty());
}

TEST(AdaptiveRepetitionsTest, NoisyPointRunsToTheMaximumAndSaysSo) {
  Sequence samples{{80.0, 120.0, 95.0, 105.0}};
  AdaptiveOptions o;
  auto r = RunAdaptiveRepetitions(o, Callbacks(samples));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.size(), 30u);
  EXPECT_FALSE(r->bound_met);
  EXPECT_EQ(r->bound_reason.rfind("maximum repetitions (30) reached", 0), 0u) << r->bound_reason;
  EXPECT_NE(r->bound_reason.find("(target 2%)"), std::string::npos) << r->bound_reason;
  ASSERT_TRUE(r->ci.available);
  EXPECT_GT(r->relative_half_width, 0.02);
}

TEST(AdaptiveRepetitionsTest, NoisyPointStopsAfterTheRepetitionThatCrossesTheTimeLimit) {
  Sequence samples{{80.0, 120.0}};
  AdaptiveOptions o;
  o.warmups = 0;
  o.max_seconds = 65;
  double clock = 0;
  AdaptiveCallbacks cb = Callbacks(samples);
  cb.repetition = [&]() -> absl::StatusOr<double> {
    clock += 10;  // every repetition takes 10 s
    return samples.Next();
  };
  cb.now_seconds = [&] { return clock; };
  auto r = RunAdaptiveRepetitions(o, cb);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.size(), 7u);  // 70 s >= 65 s after the 7th
  EXPECT_FALSE(r->bound_met);
  EXPECT_EQ(r->bound_reason.rfind("time limit (65 s) reached", 0), 0u) << r->bound_reason;
  EXPECT_DOUBLE_EQ(r->seconds, 70);

  // A limit crossed before the minimum does not stop the point early.
  clock = 0;
  o.max_seconds = 5;
  r = RunAdaptiveRepetitions(o, cb);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.size(), 6u);
  EXPECT_EQ(r->bound_reason.rfind("time limit (5 s) reached", 0), 0u) << r->bound_reason;
}

TEST(AdaptiveRepetitionsTest, SpreadOfTheBandwidthProbesMeansANoisyMachine) {
  Sequence samples{{100.0}};  // perfectly stable times...
  Sequence probes{{40.0, 40.0, 30.0, 40.0}};  // ...while the bandwidth swung by a third
  AdaptiveOptions o;
  auto r = RunAdaptiveRepetitions(o, Callbacks(samples, &probes));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.size(), 6u);  // more probes could only widen the spread
  EXPECT_FALSE(r->bound_met);
  EXPECT_TRUE(r->noisy);
  EXPECT_NEAR(r->probe_spread, 40.0 / 30.0 - 1, 1e-12);
  EXPECT_EQ(r->bound_reason,
            "memory bandwidth varied by 33.3% during the repetitions (30.0..40.0 GB/s): "
            "machine noisy");
  ASSERT_TRUE(r->ci.available);
  EXPECT_DOUBLE_EQ(r->ci.low, 100);  // the interval is still reported

  // A spread within 2 x target is not noise.
  Sequence calm{{40.0, 41.5, 40.5}};
  r = RunAdaptiveRepetitions(o, Callbacks(samples, &calm));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->bound_met) << r->bound_reason;
  EXPECT_FALSE(r->noisy);
}

TEST(AdaptiveRepetitionsTest, FewerThanSixRepetitionsHaveNoInterval) {
  EXPECT_EQ(MinimumRepetitionsForInterval(), 6u);
  Sequence samples{{100.0}};
  AdaptiveOptions o;
  o.min_repetitions = o.max_repetitions = 3;
  auto r = RunAdaptiveRepetitions(o, Callbacks(samples));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.size(), 3u);
  EXPECT_FALSE(r->bound_met);
  EXPECT_FALSE(r->ci.available);
  EXPECT_EQ(r->bound_reason, "fewer than 6 repetitions: no 95% interval");
  EXPECT_TRUE(std::isinf(r->relative_half_width));

  // With room to go on, a small minimum still runs until an interval exists.
  o.min_repetitions = 2;
  o.max_repetitions = 30;
  r = RunAdaptiveRepetitions(o, Callbacks(samples));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.size(), 6u);
  EXPECT_TRUE(r->bound_met);
}

TEST(AdaptiveRepetitionsTest, ErrorsAndBadOptions) {
  int calls = 0;
  AdaptiveCallbacks cb;
  cb.repetition = [&]() -> absl::StatusOr<double> {
    if (++calls == 3) return absl::InternalError("step failed");
    return 1.0;
  };
  auto r = RunAdaptiveRepetitions(AdaptiveOptions{}, cb);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(r.status().message(), "step failed");

  struct Case {
    AdaptiveOptions options;
    std::string message;
  };
  AdaptiveOptions zero_min, inverted, no_time, no_target;
  zero_min.min_repetitions = 0;
  inverted.min_repetitions = 10;
  inverted.max_repetitions = 8;
  no_time.max_seconds = 0;
  no_target.target_ci = 0;
  const Case cases[] = {
      {zero_min, "--min-repetitions: must be >= 1"},
      {inverted, "--max-repetitions: 8 is smaller than --min-repetitions (10)"},
      {no_time, "--max-seconds: must be > 0"},
      {no_target, "--target-ci: must be in (0, 1), e.g. 0.02 for 2%"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ValidateAdaptiveOptions(c.options).message(), c.message);
    EXPECT_EQ(RunAdaptiveRepetitions(c.options, cb).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(AdaptiveRepetitionsTest, SpreadOfValues) {
  EXPECT_DOUBLE_EQ(Spread({}), 0);
  EXPECT_DOUBLE_EQ(Spread({35, 58, 40}), 58.0 / 35 - 1);
  EXPECT_DOUBLE_EQ(Spread({0, 1}), 0);
}

}  // namespace
}  // namespace nas::liv
