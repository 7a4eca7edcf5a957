// liv-measure end to end: the JSON it prints (including the adaptive protocol's intervals,
// bounds and noise probes), its errors and exit codes (2 bad arguments, 3 out of memory),
// CPU pinning, the f16 K/V cache option, and its peak memory against the cost model's
// prediction (within 10%), for attention-only and conv-only specs at 512 and 4096 context,
// and for a spec with cross-layer weight sharing against its unshared twin (LFM2-350M's
// peak memory is in liv_measure_peak_memory_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "liv/model/arch_spec_io.h"
#include "liv/model/spec_source.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/cost_model.h"
#include "nlohmann/json.hpp"
#include "tests/liv/tools/run_command.h"

namespace {

using nas::liv::testing::RunCommand;
using nas::liv::testing::RunResult;

std::string Spec(const std::string& name) {
  return std::string(NAS_TEST_DATA_DIR) + "/specs/" + name;
}

nlohmann::json Measure(const std::string& args) {
  return nas::liv::testing::RunJson(NAS_LIV_MEASURE_BIN, args + " --quiet");
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
  // -r 3 is min = max = 3: too few for a 95% interval of the median.
  EXPECT_EQ(j["protocol"]["min_repetitions"], 3);
  EXPECT_EQ(j["protocol"]["max_repetitions"], 3);
  for (const auto* points : {&j["prefill"], &j["decode"]}) {
    for (const auto& p : *points) {
      EXPECT_EQ(p["repetitions"], 3);
      EXPECT_FALSE(p["bound_met"].get<bool>());
      EXPECT_EQ(p["bound_reason"], "fewer than 6 repetitions: no 95% interval");
      EXPECT_TRUE(p["ci95"].is_null());
    }
  }
  EXPECT_TRUE(j["memory"]["valid"].get<bool>());
  EXPECT_EQ(j["memory"]["invalid_reason"], "");
}

// Default adaptive protocol on a short prompt: every point reports a consistent interval,
// a verdict and its bandwidth probes.
TEST(LivMeasureTest, AdaptiveRepetitionsReportIntervalsBoundsAndNoise) {
  const auto j = Measure("-m " + Spec("conv_only.textproto") +
                         " -p 16 -d 0,8 -n 4 -t 1 --max-seconds 5 --max-repetitions 12");
  ASSERT_FALSE(j.is_discarded());
  const auto& protocol = j["protocol"];
  EXPECT_EQ(protocol["version"], 2);
  EXPECT_EQ(protocol["warmups"], 1);
  EXPECT_EQ(protocol["min_repetitions"], 6);
  EXPECT_EQ(protocol["max_repetitions"], 12);
  EXPECT_DOUBLE_EQ(protocol["max_seconds"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(protocol["target_ci"].get<double>(), 0.02);
  EXPECT_DOUBLE_EQ(protocol["confidence"].get<double>(), 0.95);
  EXPECT_TRUE(protocol["noise_probe"].get<bool>());
  EXPECT_EQ(protocol["noise_probe_bytes"], 128 << 20);
  EXPECT_DOUBLE_EQ(protocol["noise_spread_limit"].get<double>(), 0.04);
  EXPECT_TRUE(protocol["pin_cpus"].is_array() && protocol["pin_cpus"].empty());
  EXPECT_EQ(protocol["memory_cap"], 0);
  int points = 0;
  for (const auto* list : {&j["prefill"], &j["decode"]}) {
    for (const auto& p : *list) {
      ++points;
      SCOPED_TRACE(p.dump());
      const int n = p["repetitions"].get<int>();
      EXPECT_GE(n, 6);
      EXPECT_LE(n, 12);
      EXPECT_EQ(p["time_ms"]["repetitions"], n);
      ASSERT_TRUE(p["ci95"].is_object());
      const double median = p["time_ms"]["median"].get<double>();
      EXPECT_LE(p["ci95"]["low"].get<double>(), median);
      EXPECT_GE(p["ci95"]["high"].get<double>(), median);
      EXPECT_EQ(p["ci95"], p["time_ms"]["ci95"]);
      const auto& rate = p["tokens_per_s"];
      EXPECT_LE(rate["ci95"]["low"].get<double>(), rate["median"].get<double>());
      EXPECT_GE(rate["ci95"]["high"].get<double>(), rate["median"].get<double>());
      EXPECT_EQ(p["bound_reason"].get<std::string>().empty(), p["bound_met"].get<bool>());
      if (p["bound_met"].get<bool>()) {
        EXPECT_LE(p["ci95_relative"].get<double>(), 0.02);
      } else {
        EXPECT_TRUE(n == 12 || p["seconds"].get<double>() >= 5 ||
                    p["bandwidth_gbps"]["noisy"].get<bool>());
      }
      const auto& b = p["bandwidth_gbps"];
      EXPECT_EQ(b["probes"], n + 1);
      EXPECT_GT(b["min"].get<double>(), 0);
      EXPECT_LE(b["min"].get<double>(), b["median"].get<double>());
      EXPECT_LE(b["median"].get<double>(), b["max"].get<double>());
      EXPECT_EQ(b["noisy"].get<bool>(), b["spread"].get<double>() > 0.04);
    }
  }
  EXPECT_EQ(points, 3);
  for (const auto& p : j["decode"]) {
    const auto& ms = p["ms_per_token"];
    EXPECT_LE(ms["ci95"]["low"].get<double>(), ms["median"].get<double>());
    EXPECT_GE(ms["ci95"]["high"].get<double>(), ms["median"].get<double>());
    EXPECT_NEAR(ms["median"].get<double>() * 4, p["time_ms"]["median"].get<double>(), 1e-9);
  }
  const auto& noise = j["machine_noise"];
  ASSERT_TRUE(noise.is_object());
  EXPECT_GE(noise["probes"].get<int>(), 3 * 7);
  EXPECT_LE(noise["min_gbps"].get<double>(), noise["max_gbps"].get<double>());
  EXPECT_EQ(noise["noisy"].get<bool>(), noise["spread"].get<double>() > 0.04);
  const auto& m = j["memory"];
  EXPECT_EQ(m["probe_bytes"], 128 << 20);
  EXPECT_EQ(m["predicted_peak_bytes"].get<uint64_t>(),
            m["baseline_rss_bytes"].get<uint64_t>() + m["plan"]["total"].get<uint64_t>() +
                m["probe_bytes"].get<uint64_t>());
  EXPECT_TRUE(m["valid"].get<bool>());
}

TEST(LivMeasureTest, NoNoiseProbeLeavesTheProbeOut) {
  const auto j = Measure("-m " + Spec("conv_only.textproto") +
                         " -p 16 -d 0 -n 2 -t 1 -r 2 --no-noise-probe");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_FALSE(j["protocol"]["noise_probe"].get<bool>());
  EXPECT_EQ(j["protocol"]["noise_probe_bytes"], 0);
  EXPECT_TRUE(j["machine_noise"].is_null());
  EXPECT_TRUE(j["prefill"][0]["bandwidth_gbps"].is_null());
  EXPECT_EQ(j["memory"]["probe_bytes"], 0);
}

// --kv-type f16: reported next to the weight type; the planned and the cost model's K/V
// bytes are both half of the f32 cache's.
TEST(LivMeasureTest, F16KvCacheIsReportedAndHalvesTheKvBytes) {
  nlohmann::json j[2];
  int i = 0;
  for (const char* kv : {"f32", "f16"}) {
    j[i] = Measure("-m " + Spec("attention_only.textproto") +
                   " -p 16 -d 4 -n 2 -t 1 -r 1 --warmups 0 --no-noise-probe --kv-type " + kv);
    ASSERT_FALSE(j[i].is_discarded());
    EXPECT_EQ(j[i]["model"]["weight_type"], "f32");
    EXPECT_EQ(j[i]["model"]["kv_type"], kv);
    EXPECT_EQ(j[i]["memory"]["plan"]["kv_cache"],
              j[i]["memory"]["cache_bytes_at_max_context"]["kv"]);
    ++i;
  }
  EXPECT_EQ(2 * j[1]["memory"]["plan"]["kv_cache"].get<uint64_t>(),
            j[0]["memory"]["plan"]["kv_cache"].get<uint64_t>());
}

TEST(LivMeasureTest, PinsToTheListedCpus) {
  const auto j = Measure("-m " + Spec("conv_only.textproto") + " -p 16 -d 0 -n 2 -r 2 --pin-cpus 0");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["protocol"]["pin_cpus"], nlohmann::json::array({0}));
  EXPECT_EQ(j["protocol"]["threads"], 1);  // one thread per listed CPU unless -t says more
}

TEST(LivMeasureTest, ExitCodes) {
  struct Case {
    std::string args;
    int code;
    std::string message;  // the whole line after "liv-measure: " ("" = any)
  };
  const std::string base = "-m " + Spec("conv_only.textproto") + " -p 16 -d 0 -n 2";
  const std::string conv = base + " -r 1";
  const Case cases[] = {
      {conv + " --pin-cpus 999", 2, ""},
      {base + " --min-repetitions 0", 2, "--min-repetitions: must be >= 1"},
      {base + " --min-repetitions 7 --max-repetitions 6", 2,
       "--max-repetitions: 6 is smaller than --min-repetitions (7)"},
      {conv + " --max-seconds 0", 2, "--max-seconds: must be > 0"},
      {conv + " --target-ci 1.5", 2, "--target-ci: must be in (0, 1), e.g. 0.02 for 2%"},
      {conv + " --memory-cap 1000", 3, ""},
  };
  for (const Case& c : cases) {
    RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, c.args + " --quiet");
    EXPECT_EQ(r.exit_code, c.code) << c.args << " -> " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << " -> " << r.err;
    if (!c.message.empty()) {
      EXPECT_EQ(r.err, "liv-measure: " + c.message + "\n");
    }
  }
  RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, conv + " --pin-cpus 999 --quiet");
  EXPECT_EQ(r.err.rfind("liv-measure: --pin-cpus: CPU 999 is not available to this process", 0),
            0u)
      << r.err;
  r = RunCommand(NAS_LIV_MEASURE_BIN, conv + " --memory-cap 1000 --quiet");
  EXPECT_EQ(r.err.rfind("liv-measure: predicted peak memory ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(" bytes exceeds the memory cap 1000 bytes\n"), std::string::npos) << r.err;
  // A cap above the prediction is no obstacle.
  EXPECT_EQ(RunCommand(NAS_LIV_MEASURE_BIN, conv + " --memory-cap 100000000000 --quiet").exit_code,
            0);
  // -r is a shorthand that excludes the explicit bounds.
  EXPECT_EQ(RunCommand(NAS_LIV_MEASURE_BIN, conv + " --min-repetitions 2 --quiet").exit_code, 2);
}

TEST(LivMeasureTest, BadArgumentsGiveOneLineErrors) {
  struct Case {
    std::string args, fragment;
  };
  const Case cases[] = {
      {"-m LFM2-9B", "is neither a preset"},
      {"-m LFM2-350M -w q5_k", "--weights: unknown weight type \"q5_k\""},
      {"-m LFM2-350M --kv-type q8_0", "--kv-type: unknown KV cache type \"q8_0\""},
      {"-m LFM2-350M -r 0", "--repetitions: must be >= 1"},
      {"-m LFM2-350M -p 0", "--prompt-lengths: lengths must be >= 1"},
      {"-m LFM2-350M -p 64 -d 0 --max-context 32", "--max-context: 32 is smaller than 64"},
      {"-m LFM2-350M -r 3 --min-repetitions 2", "--min-repetitions excludes --repetitions"},
      {"-m LFM2-350M --param-cap 1000", "exceed the cap"},
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
  for (const char* text : {"--min-repetitions", "--max-repetitions", "--max-seconds",
                           "--target-ci", "--no-noise-probe", "--pin-cpus", "--memory-cap",
                           "--kv-type",
                           "3 out of memory"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
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
      EXPECT_TRUE(j["memory"]["valid"].get<bool>());
      peak[s][c] = j["memory"]["peak_bytes"].get<double>();
    }
  }
  // 8 layers x K and V x 3584 more positions x 4 KV heads x 64 x 4 bytes = 58.7 MB more
  // cache, plus the larger attention score block.
  EXPECT_GT(peak[0][1] - peak[0][0], 58e6);
  EXPECT_LT(std::abs(peak[1][1] - peak[1][0]), 8e6);
}

// Weight sharing: the shared spec's weights are allocated once, so its peak is lower than
// its unshared twin's by about the bytes the sharers would hold; a decode step still reads
// as many weight bytes as the twin stores.
TEST(LivMeasureTest, WeightSharingLowersPeakMemoryByTheSharedBytes) {
  auto spec = nas::liv::LoadArchSpec(Spec("weight_sharing_wide.textproto"));
  ASSERT_TRUE(spec.ok()) << spec.status();
  nas::ArchSpec twin = *spec;
  for (nas::Layer& layer : *twin.mutable_layers()) layer.clear_weight_source_layer();
  const std::string twin_path = ::testing::TempDir() + "weight_sharing_wide_unshared.textproto";
  {
    std::ofstream out(twin_path);
    out << nas::liv::ArchSpecToText(twin);
    ASSERT_TRUE(out.good());
  }
  const uint64_t shared_bytes = nas::liv::WeightBytes(*spec, nas::liv::WeightType::kF32);
  const uint64_t twin_bytes = nas::liv::WeightBytes(twin, nas::liv::WeightType::kF32);
  ASSERT_GT(twin_bytes - shared_bytes, 90'000'000u);
  nlohmann::json j[2];
  const std::string paths[] = {Spec("weight_sharing_wide.textproto"), twin_path};
  for (int s = 0; s < 2; ++s) {
    j[s] = Measure("-m " + paths[s] + " -p 64 -d 0 -n 2 -r 1 --warmups 0 -t 2");
    ASSERT_FALSE(j[s].is_discarded());
    SCOPED_TRACE(paths[s]);
    EXPECT_NEAR(PeakOverPredicted(j[s]), 1.0, 0.10);
    EXPECT_TRUE(j[s]["memory"]["valid"].get<bool>());
    EXPECT_EQ(j[s]["decode"][0]["weight_bytes_per_token"].get<uint64_t>(), twin_bytes);
  }
  EXPECT_EQ(j[0]["model"]["weight_bytes"].get<uint64_t>(), shared_bytes);
  EXPECT_EQ(j[1]["model"]["weight_bytes"].get<uint64_t>(), twin_bytes);
  EXPECT_EQ(j[0]["model"]["parameters"].get<uint64_t>(), nas::liv::CountParameters(*spec));
  for (const char* part : {"kv_cache", "conv_state", "activations"}) {
    EXPECT_EQ(j[0]["memory"]["plan"][part], j[1]["memory"]["plan"][part]) << part;
  }
  const double saved = j[1]["memory"]["peak_bytes"].get<double>() -
                       j[0]["memory"]["peak_bytes"].get<double>();
  EXPECT_NEAR(saved / static_cast<double>(twin_bytes - shared_bytes), 1.0, 0.15);
}

}  // namespace
