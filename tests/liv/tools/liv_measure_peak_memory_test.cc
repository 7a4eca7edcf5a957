// Peak memory of LFM2-350M at 4096 context, as liv-measure reports it, against the memory
// plan (weight bytes + cache bytes + planned buffers) computed here with PlanMemory for the
// same spec and options: within 10%, and never below the weight bytes. liv-measure's peak
// is the whole process's (max of VmHWM and sampled VmRSS+VmSwap), so the process baseline
// it reports (RSS before anything is built: code, libraries) and its bandwidth probe's
// buffer are subtracted before comparing; the run also passes --no-noise-probe, so the
// probe buffer is 0 and the peak is the runtime's own. The 4096-token prompt fills every
// K/V position (the session also touches its whole arena when it is created).
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <string>

#include "liv/model/spec_source.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/memory_plan.h"
#include "nlohmann/json.hpp"
#include "tests/liv/tools/run_command.h"

namespace nas::liv {
namespace {

constexpr uint32_t kContext = 4096;
constexpr int kThreads = 2;

class Lfm2_350mPeakMemoryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Lfm2_350mPeakMemoryTest, WithinTenPercentOfThePlanAt4096Context) {
  const std::string weights = GetParam();
  auto type = ParseWeightType(weights);
  ASSERT_TRUE(type.ok()) << type.status();
  auto spec = LoadArchSpec("LFM2-350M");
  ASSERT_TRUE(spec.ok()) << spec.status();
  RuntimeOptions options;  // max_batch: liv-measure's default, 512
  options.max_context = kContext;
  options.threads = kThreads;
  const MemoryPlan plan = PlanMemory(*spec, *type, options);

  const auto j = testing::RunJson(
      NAS_LIV_MEASURE_BIN,
      "-m LFM2-350M -w " + weights + " --max-context " + std::to_string(kContext) +
          " -p " + std::to_string(kContext) + " -d 0 -n 1 -r 1 --warmups 0 -t " +
          std::to_string(kThreads) + " --no-noise-probe --quiet");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["model"]["parameters"], 354483968);
  EXPECT_EQ(j["protocol"]["max_context"], kContext);
  EXPECT_EQ(j["protocol"]["max_batch"], options.max_batch);
  const auto& m = j["memory"];
  ASSERT_EQ(m["plan"]["total"].get<uint64_t>(), plan.total()) << "liv-measure planned otherwise";
  EXPECT_TRUE(m["valid"].get<bool>()) << m["invalid_reason"];

  const uint64_t peak = m["peak_bytes"].get<uint64_t>();
  const uint64_t outside = m["baseline_rss_bytes"].get<uint64_t>() + m["probe_bytes"].get<uint64_t>();
  ASSERT_GT(peak, outside);
  const uint64_t run_peak = peak - outside;
  const double ratio = static_cast<double>(run_peak) / static_cast<double>(plan.total());
  std::cout << "LFM2-350M " << weights << " at " << kContext << " context: peak " << peak
            << " bytes - baseline and probe " << outside << " = " << run_peak
            << "; plan " << plan.total() << " (weights " << plan.weights << ", caches "
            << plan.caches() << ", buffers "
            << plan.total() - plan.weights - plan.caches() << "); ratio " << ratio << "\n";
  EXPECT_NEAR(ratio, 1.0, 0.10);
  EXPECT_GE(run_peak, plan.weights);
}

INSTANTIATE_TEST_SUITE_P(WeightTypes, Lfm2_350mPeakMemoryTest,
                         ::testing::Values("f32", "q4_0"));

}  // namespace
}  // namespace nas::liv
