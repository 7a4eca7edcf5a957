// liv-measure end to end: the JSON it prints, its errors, and its peak memory against the
// cost model's prediction (within 10%), for LFM2-350M and for attention-only and conv-only
// specs at 512 and 4096 context.
#include <gtest/gtest.h>

#include <string>

#include "nlohmann/json.hpp"
#include "tests/liv/tools/run_command.h"

namespace {

using nas::liv::testing::RunCommand;
using nas::liv::testing::RunResult;

std::string Spec(const std::string& name) {
  return std::string(NAS_TEST_DATA_DIR) + "/specs/" + name;
}

nlohmann::json Measure(const std::string& args) {
  RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, args + " --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

double PeakOverPredicted(const nlohmann::json& j) {
  return j["memory"]["peak_bytes"].get<double>() /
         j["memory"]["predicted_peak_bytes"].get<double>();
}

TEST(LivMeasureTest, ReportsEveryFigureOfTheProtocol) {
  const auto j = Measure("-m " + Spec("conv_only.textproto") +
                         " -p 16,32 -d 0,8 -n 4 -r 3 --warmups 1 -t 1");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["schema"], "liv-measure/1");
  EXPECT_EQ(j["model"]["name"], "conv-only");
  EXPECT_EQ(j["model"]["weight_type"], "f32");
  EXPECT_GT(j["model"]["parameters"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["model"]["spec"]["d_model"], 512);
  EXPECT_EQ(j["protocol"]["threads"], 1);
  EXPECT_EQ(j["protocol"]["max_context"], 32);  // max(32, 8 + 4)
  ASSERT_EQ(j["prefill"].size(), 2u);
  EXPECT_EQ(j["prefill"][1]["prompt_length"], 32);
  for (const auto& p : j["prefill"]) {
    const auto& t = p["time_ms"];
    EXPECT_EQ(t["repetitions"], 3);
    EXPECT_GT(t["median"].get<double>(), 0);
    EXPECT_LE(t["p10"].get<double>(), t["median"].get<double>());
    EXPECT_LE(t["median"].get<double>(), t["p90"].get<double>());
    EXPECT_GT(p["tokens_per_s"]["median"].get<double>(), 0);
    EXPECT_GT(p["flops"].get<uint64_t>(), 0u);
  }
  ASSERT_EQ(j["decode"].size(), 2u);
  EXPECT_EQ(j["decode"][1]["depth"], 8);
  EXPECT_GT(j["decode"][1]["ms_per_token"]["median"].get<double>(), 0);
  EXPECT_EQ(j["time_to_first_token"].size(), 2u);
  EXPECT_GT(j["memory"]["peak_bytes"].get<uint64_t>(), j["model"]["weight_bytes"].get<uint64_t>());
  EXPECT_GT(j["memory"]["samples"].get<uint64_t>(), 1u);
  EXPECT_FALSE(j["isa_path"].get<std::string>().empty());
  EXPECT_FALSE(j["cpu"]["model"].get<std::string>().empty());
  EXPECT_EQ(j["build"]["version"], "0.1.0");
}

TEST(LivMeasureTest, BadArgumentsGiveOneLineErrors) {
  struct Case {
    std::string args, fragment;
  };
  const Case cases[] = {
      {"-m LFM2-9B", "is neither a preset"},
      {"-m LFM2-350M -w q5_k", "--weights: unknown weight type \"q5_k\""},
      {"-m LFM2-350M -r 0", "--repetitions: must be >= 1"},
      {"-m LFM2-350M -p 0", "--prompt-lengths: lengths must be >= 1"},
      {"-m LFM2-350M -p 64 --max-context 32", "--max-context: 32 is smaller than 64"},
      {"-m LFM2-350M --param-cap 1000", "exceed the cap"},
      {"-m " + Spec("conv_only.textproto") + " -w q4_0 -p 4", "not supported by this build"},
  };
  for (const Case& c : cases) {
    RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, c.args + " --quiet");
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.args << " -> " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << " -> " << r.err;
  }
}

TEST(LivMeasureTest, HelpExplainsTheTool) {
  RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, "--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--prompt-lengths"), std::string::npos);
  EXPECT_NE(r.out.find("LFM2-350M"), std::string::npos);
}

// Attention memory grows with context; convolution memory does not; both as predicted.
TEST(LivMeasureTest, PeakMemoryFollowsTheCostModelAcrossContexts) {
  double peak[2][2];  // [attention, conv][512, 4096]
  const char* specs[] = {"attention_only.textproto", "conv_only.textproto"};
  for (int s = 0; s < 2; ++s) {
    for (int c = 0; c < 2; ++c) {
      const int context = c == 0 ? 512 : 4096;
      const auto j = Measure("-m " + Spec(specs[s]) + " -p " + std::to_string(context) +
                             " -d 0 -n 2 -r 1 --warmups 0 -t 2");
      ASSERT_FALSE(j.is_discarded());
      SCOPED_TRACE(std::string(specs[s]) + " at " + std::to_string(context));
      EXPECT_NEAR(PeakOverPredicted(j), 1.0, 0.10);
      peak[s][c] = j["memory"]["peak_bytes"].get<double>();
    }
  }
  // 8 layers x K and V x 3584 more positions x 4 KV heads x 64 x 4 bytes = 58.7 MB more
  // cache, plus the larger attention score block.
  EXPECT_GT(peak[0][1] - peak[0][0], 58e6);
  EXPECT_LT(std::abs(peak[1][1] - peak[1][0]), 8e6);
}

TEST(LivMeasureTest, Lfm2_350mPeakMemoryAt4096ContextMatchesPrediction) {
  const auto j = Measure("-m LFM2-350M -p 4096 -d 0 -n 2 -r 1 --warmups 0 -t 2");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["model"]["parameters"], 354483968);
  EXPECT_EQ(j["protocol"]["max_context"], 4096);
  EXPECT_NEAR(PeakOverPredicted(j), 1.0, 0.10);
  EXPECT_GE(j["memory"]["peak_bytes"].get<uint64_t>(), 354483968ull * 4);
}

}  // namespace
