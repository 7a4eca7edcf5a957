#include "star/objectives.h"

#include <gtest/gtest.h>

#include <cmath>

#include "liv/model/lfm2_presets.h"
#include "liv/model/weight_layout.h"

namespace nas::star {
namespace {

using agent::MeasureResult;

SearchSpace Space() {
  SearchSpace s;
  auto add = [&](Objective::Kind kind, const std::string& device, uint32_t depth, uint32_t length,
                 uint32_t context) {
    Objective* o = s.add_objectives();
    o->set_kind(kind);
    o->set_device_class(device);
    o->set_decode_depth(depth);
    o->set_prompt_length(length);
    o->set_context(context);
  };
  add(Objective::QUALITY, "", 0, 0, 0);
  add(Objective::DECODE_MS_PER_TOKEN, "laptop", 64, 0, 0);
  add(Objective::PREFILL_TOKENS_PER_S, "laptop", 0, 512, 0);
  add(Objective::TIME_TO_FIRST_TOKEN_MS, "phone", 0, 512, 0);
  add(Objective::PEAK_MEMORY_BYTES, "phone", 0, 0, 0);
  add(Objective::PARAMETERS, "", 0, 0, 0);
  add(Objective::CACHE_BYTES, "", 0, 0, 4096);
  DeviceBudget* b = s.mutable_budgets()->add_devices();
  b->set_device_class("phone");
  b->set_max_peak_memory_bytes(2000);
  b->set_min_decode_tokens_per_s(50);  // 20 ms/token
  b->set_decode_depth(0);
  return s;
}

MeasureResult Measured(double decode_ms_at_64, double decode_ms_at_0, double prefill_ms,
                       uint64_t peak) {
  MeasureResult m;
  m.set_outcome(MeasureResult::OK);
  auto* p = m.add_prefill();
  p->set_prompt_length(512);
  p->mutable_time_ms()->set_median(prefill_ms);
  auto* d0 = m.add_decode();
  d0->set_depth(0);
  d0->mutable_ms_per_token()->set_median(decode_ms_at_0);
  auto* d64 = m.add_decode();
  d64->set_depth(64);
  d64->mutable_ms_per_token()->set_median(decode_ms_at_64);
  m.set_peak_memory_bytes(peak);
  return m;
}

CandidateFacts Facts() {
  CandidateFacts f;
  f.spec = *liv::PresetArchSpec("LFM2-350M");
  f.quality = 0.75;
  f.measurements["laptop"] = Measured(12.5, 12.0, 1000, 1500);
  f.measurements["phone"] = Measured(30, 16, 250, 1800);
  return f;
}

TEST(ObjectivesTest, EveryKindIsMinimisedWithMaximisedOnesNegated) {
  auto e = EvaluateCandidate(Space(), Facts());
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->objectives.size(), 7u);
  EXPECT_DOUBLE_EQ(e->objectives[0], -0.75);            // quality, maximised
  EXPECT_DOUBLE_EQ(e->objectives[1], 12.5);             // laptop decode at depth 64
  EXPECT_DOUBLE_EQ(e->objectives[2], -512.0);           // 512 tokens in 1000 ms, maximised
  EXPECT_DOUBLE_EQ(e->objectives[3], 250);              // phone time to first token
  EXPECT_DOUBLE_EQ(e->objectives[4], 1800);             // phone peak memory
  EXPECT_DOUBLE_EQ(e->objectives[5], 354'483'968.0);    // parameters
  EXPECT_DOUBLE_EQ(e->objectives[6], 4096.0 * 6 * 2 * 8 * 64 * 4 + 10 * 2 * 1024 * 4);
  EXPECT_EQ(e->violation, 0);  // 1800 <= 2000 bytes, 62.5 >= 50 tokens/s
  EXPECT_EQ(ObjectiveNames(Space())[1], "decode_ms_per_token[laptop,depth=64]");
  EXPECT_EQ(ObjectiveNames(Space())[6], "cache_bytes[context=4096]");
}

TEST(ObjectivesTest, CacheBytesFollowTheProtocolsKvType) {
  SearchSpace space = Space();
  space.mutable_protocol()->set_kv_type("f16");
  auto e = EvaluateCandidate(space, Facts());
  ASSERT_TRUE(e.ok()) << e.status();
  // The K/V cache in halves; the conv state stays f32.
  EXPECT_DOUBLE_EQ(e->objectives[6], 4096.0 * 6 * 2 * 8 * 64 * 2 + 10 * 2 * 1024 * 4);
}

TEST(ObjectivesTest, PeakMemoryLeavesOutTheBandwidthProbeBuffer) {
  CandidateFacts f = Facts();
  f.measurements["phone"].set_peak_memory_bytes(1800 + 1000);
  f.measurements["phone"].set_probe_bytes(1000);  // the measuring binary's own buffer
  auto e = EvaluateCandidate(Space(), f);
  ASSERT_TRUE(e.ok());
  EXPECT_DOUBLE_EQ(e->objectives[4], 1800);
  EXPECT_EQ(e->violation, 0);  // 1800 <= 2000 bytes once the probe is left out
  EXPECT_EQ(ModelPeakMemoryBytes(f.measurements["phone"]), 1800u);
}

TEST(ObjectivesTest, BudgetsBecomeARelativeViolation) {
  CandidateFacts f = Facts();
  f.measurements["phone"] = Measured(30, 25, 250, 3000);  // 50% over memory, 40 of 50 tok/s
  auto e = EvaluateCandidate(Space(), f);
  ASSERT_TRUE(e.ok());
  EXPECT_NEAR(e->violation, 0.5 + 0.2, 1e-12);
}

TEST(ObjectivesTest, UnmeasurableCandidatesAreInfeasibleAndMissingFiguresFinite) {
  CandidateFacts f = Facts();
  f.quality.reset();
  f.measurements["phone"].set_outcome(MeasureResult::OUT_OF_MEMORY);
  auto e = EvaluateCandidate(Space(), f);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::isinf(e->violation));
  EXPECT_DOUBLE_EQ(e->objectives[0], kMissingObjective);
  EXPECT_DOUBLE_EQ(e->objectives[3], kMissingObjective);
  EXPECT_DOUBLE_EQ(e->objectives[1], 12.5);  // the laptop figures still count
}

TEST(ObjectivesTest, CheapConstraintsNeedOnlyTheSpec) {
  SearchSpace s = Space();
  s.mutable_budgets()->set_max_parameters(300'000'000);
  const ArchSpec spec = *liv::PresetArchSpec("LFM2-350M");
  EXPECT_EQ(CheckCheapConstraints(s, spec),
            "354483968 parameters, above budgets.max_parameters (300000000)");
  s.mutable_budgets()->set_max_parameters(400'000'000);
  s.mutable_budgets()->set_min_parameters(360'000'000);
  EXPECT_EQ(CheckCheapConstraints(s, spec),
            "354483968 parameters, below budgets.min_parameters (360000000)");
  s.mutable_budgets()->set_min_parameters(0);
  EXPECT_EQ(CheckCheapConstraints(s, spec), "");
}

}  // namespace
}  // namespace nas::star
