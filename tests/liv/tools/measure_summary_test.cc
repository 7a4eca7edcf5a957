// The stderr summary of a liv-measure document: intervals, verdicts, noise and memory
// validity appear; documents without the newer fields still summarize.
#include "liv/tools/measure_summary.h"

#include <gtest/gtest.h>

namespace nas::liv {
namespace {

nlohmann::json Document() {
  nlohmann::json stats = {{"median", 10.0}, {"p10", 9.0}, {"p90", 11.0},
                          {"ci95", {{"low", 9.9}, {"high", 10.1}}}};
  return {
      {"model", {{"name", "tiny"}, {"weight_type", "f32"}, {"parameters", 1000}}},
      {"cpu", {{"model", "Test CPU"}}},
      {"protocol", {{"threads", 2}}},
      {"isa_path", "scalar"},
      {"prefill",
       {{{"prompt_length", 512}, {"tokens_per_s", stats}, {"time_ms", stats},
         {"repetitions", 6}, {"bound_met", true}, {"bound_reason", ""}}}},
      {"decode",
       {{{"depth", 0}, {"ms_per_token", stats}, {"tokens_per_s", stats}, {"repetitions", 30},
         {"bound_met", false}, {"bound_reason", "maximum repetitions (30) reached"}}}},
      {"machine_noise",
       {{"probes", 40}, {"median_gbps", 45.0}, {"min_gbps", 35.0}, {"max_gbps", 58.0},
        {"spread", 0.657}, {"spread_limit", 0.04}, {"noisy", true}}},
      {"memory",
       {{"peak_bytes", 1 << 30}, {"predicted_peak_bytes", 1 << 30},
        {"predicted_over_measured", 1.0}, {"probe_bytes", 128 << 20}, {"valid", false},
        {"invalid_reason", "measured peak is below the weight bytes"}}},
  };
}

TEST(MeasureSummaryTest, ShowsIntervalsVerdictsNoiseAndMemoryValidity) {
  const std::string s = SummarizeMeasurement(Document());
  EXPECT_NE(s.find("tiny (f32, 1000 parameters) on Test CPU, 2 threads, kernels scalar"),
            std::string::npos) << s;
  EXPECT_NE(s.find("(95% CI 9.9-10.1)"), std::string::npos) << s;
  EXPECT_NE(s.find("6 repetitions, bound met"), std::string::npos) << s;
  EXPECT_NE(s.find("30 repetitions, bound NOT met: maximum repetitions (30) reached"),
            std::string::npos) << s;
  EXPECT_NE(s.find("35.0..58.0 over 40 probes (spread 65.7%, limit 4.0%): machine noisy"),
            std::string::npos) << s;
  EXPECT_NE(s.find("of which 128.0 MiB bandwidth probe"), std::string::npos) << s;
  EXPECT_NE(s.find("memory figure INVALID: measured peak is below the weight bytes"),
            std::string::npos) << s;
}

TEST(MeasureSummaryTest, NamesTheKvCacheTypeNextToTheWeightType) {
  nlohmann::json d = Document();
  d["model"]["kv_type"] = "f16";
  const std::string s = SummarizeMeasurement(d);
  EXPECT_NE(s.find("tiny (f32, KV cache f16, 1000 parameters)"), std::string::npos) << s;
}

TEST(MeasureSummaryTest, OlderDocumentsStillSummarize) {
  nlohmann::json d = Document();
  d.erase("machine_noise");
  d["memory"].erase("valid");
  d["memory"].erase("probe_bytes");
  for (auto& p : d["prefill"]) p.erase("bound_met");
  const std::string s = SummarizeMeasurement(d);
  EXPECT_EQ(s.find("bound met"), std::string::npos);
  EXPECT_EQ(s.find("INVALID"), std::string::npos);
  EXPECT_NE(s.find("peak memory 1024.0 MiB"), std::string::npos) << s;
}

}  // namespace
}  // namespace nas::liv
