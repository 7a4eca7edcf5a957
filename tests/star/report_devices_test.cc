#include "star/report_devices.h"

#include <gtest/gtest.h>

#include "google/protobuf/text_format.h"
#include "liv/runtime/memory_plan.h"
#include "star/objectives.h"
#include "star/search_space.h"
#include "tests/star/simulated_measurement.h"

namespace nas::star {
namespace {

SearchSpace TinySpace() {
  auto space = LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/tiny.textproto");
  EXPECT_TRUE(space.ok()) << space.status();
  return space.ok() ? *space : SearchSpace();
}

uint64_t Plan(const ArchSpec& spec, uint32_t context) {
  liv::RuntimeOptions options;
  options.max_context = context;
  options.threads = 1;
  return liv::PlanMemory(spec, liv::WeightType::kF32, options).total();
}

TEST(ReportDevicesTest, FiguresAndMemoryCurveThroughTheMeasuredPeak) {
  const SearchSpace space = TinySpace();
  auto spec = ResolveReference(space.references(0));
  ASSERT_TRUE(spec.ok()) << spec.status();
  agent::MeasureResult result =
      testing::SimulatedMeasureResult(*spec, space.protocol(), space.weight_type());
  result.set_peak_memory_bytes(result.peak_memory_bytes() + 1000);  // off the plan by 1000
  const results::DeviceFigures f = ReportDeviceFigures(space, "laptop", *spec, "a:1", result);
  EXPECT_EQ(f.device_class(), "laptop");
  EXPECT_EQ(f.agent(), "a:1");
  EXPECT_EQ(f.outcome(), "OK");
  EXPECT_EQ(f.isa_path(), "simulated");
  const double peak = static_cast<double>(ModelPeakMemoryBytes(result));
  EXPECT_EQ(f.peak_memory_bytes(), peak);
  ASSERT_EQ(f.prefill_size(), 1);
  EXPECT_EQ(f.prefill(0).prompt_length(), 64u);
  EXPECT_EQ(f.prefill(0).time_ms().median(), result.prefill(0).time_ms().median());
  EXPECT_EQ(f.prefill(0).tokens_per_s().p90(), result.prefill(0).tokens_per_s().p90());
  ASSERT_EQ(f.decode_size(), 2);
  EXPECT_EQ(f.decode(1).depth(), 64u);
  EXPECT_EQ(f.decode(1).ms_per_token().p10(), result.decode(1).ms_per_token().p10());
  // The protocol's context: the deepest decode (64) + 16 decode tokens = 80, measured.
  const uint32_t context = MeasuredContext(space.protocol(), result);
  EXPECT_EQ(context, 80u);
  ASSERT_EQ(f.memory_by_context_size(), 9);
  EXPECT_EQ(f.memory_by_context(0).context(), 80u);
  EXPECT_TRUE(f.memory_by_context(0).measured());
  EXPECT_EQ(f.memory_by_context(0).bytes(), peak);
  const double shift = peak - static_cast<double>(Plan(*spec, 80));
  for (int i = 1; i < 9; ++i) {
    const results::MemoryPoint& p = f.memory_by_context(i);
    EXPECT_EQ(p.context(), kReportContexts[i - 1]);
    EXPECT_FALSE(p.measured());
    EXPECT_EQ(p.bytes(), static_cast<double>(Plan(*spec, p.context())) + shift);
  }
  EXPECT_LT(f.memory_by_context(1).bytes(), f.memory_by_context(8).bytes());
}

TEST(ReportDevicesTest, AFailedMeasurementHasNoMemoryFigures) {
  const SearchSpace space = TinySpace();
  agent::MeasureResult result;
  result.set_outcome(agent::MeasureResult::OUT_OF_MEMORY);
  result.set_message("over the cap");
  const results::DeviceFigures f = ReportDeviceFigures(space, "phone", ArchSpec(), "b:2", result);
  EXPECT_EQ(f.outcome(), "OUT_OF_MEMORY");
  EXPECT_EQ(f.message(), "over the cap");
  EXPECT_FALSE(f.has_peak_memory_bytes());
  EXPECT_EQ(f.memory_by_context_size(), 0);
}

TEST(ReportDevicesTest, AgentInfoFromTheMeasuringBinarysJson) {
  agent::MeasureResult result;
  result.set_kernel_path("avx2");
  result.set_liv_measure_json(
      R"({"isa_path":"avx512","cpu":{"model":"AMD EPYC 9R14","logical_cpus":2},)"
      R"("build":{"version":"0.1.0","compiler":"gcc-compatible 12.2.0","build_type":"release",)"
      R"("architecture":"x86_64"}})");
  const results::AgentInfo info = ReportAgentInfo("h:1", result);
  EXPECT_EQ(info.address(), "h:1");
  EXPECT_EQ(info.cpu(), "AMD EPYC 9R14 (2 CPUs)");
  EXPECT_EQ(info.isa_path(), "avx512");
  EXPECT_EQ(info.build(), "liv 0.1.0, release, x86_64, gcc-compatible 12.2.0");
  result.set_liv_measure_json("not json");
  const results::AgentInfo bare = ReportAgentInfo("h:1", result);
  EXPECT_EQ(bare.cpu(), "");
  EXPECT_EQ(bare.build(), "");
  EXPECT_EQ(bare.isa_path(), "avx2");
}

}  // namespace
}  // namespace nas::star
