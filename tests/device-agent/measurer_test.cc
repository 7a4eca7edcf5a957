// How a finished child becomes a MeasureResult: every outcome, and the reported figures.
#include "device-agent/measurer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <signal.h>

#include "device-agent/request_validation.h"
#include "tests/device-agent/agent_test_util.h"

namespace nas::agent {
namespace {

MeasureRequest Request() {
  MeasureRequest r = *ValidateMeasureRequest(testing::SmallRequest(), {});
  r.set_request_id("r1");
  r.set_memory_cap_bytes(1000);
  return r;
}

ChildResult Exited(int code, const std::string& out = "", const std::string& err = "") {
  ChildResult c;
  c.exit_code = code;
  c.out = out;
  c.err = err;
  return c;
}

std::string Report(uint64_t peak, uint64_t weights, bool bound_met, bool valid = true) {
  return R"({"schema": "liv-measure/1", "isa_path": "avx512",
    "model": {"weight_bytes": )" + std::to_string(weights) + R"(, "parameters": 10},
    "memory": {"peak_bytes": )" + std::to_string(peak) + R"(, "predicted_peak_bytes": 900, "probe_bytes": 100,
               "valid": )" + (valid ? "true" : "false") + R"(, "invalid_reason": "probe says no"},
    "prefill": [{"prompt_length": 32, "bound_met": )" + (bound_met ? "true" : "false") + R"(,
                 "bound_reason": ")" + (bound_met ? "" : "machine noisy") + R"(",
                 "time_ms": {"median": 100, "p10": 99, "p90": 101, "repetitions": 6,
                             "ci95": {"low": 99.5, "high": 100.5}}}],
    "decode": [], "machine_noise": {"noisy": true}})";
}

TEST(MeasurerTest, OutcomesOfAChild) {
  const MeasureRequest req = Request();
  MeasureResult r = ResultFromChild(req, Exited(2, "", "liv-measure: spec: d_model: must be > 0\n"));
  EXPECT_EQ(r.outcome(), MeasureResult::INVALID);
  EXPECT_EQ(r.message(), "spec: d_model: must be > 0");
  EXPECT_EQ(r.request_id(), "r1");
  EXPECT_EQ(r.protocol_version(), 1u);

  r = ResultFromChild(req, Exited(3, "", "liv-measure: predicted peak memory 5 bytes exceeds the memory cap 1 bytes\n"));
  EXPECT_EQ(r.outcome(), MeasureResult::OUT_OF_MEMORY);

  r = ResultFromChild(req, Exited(1, "", "liv-measure: context full\n"));
  EXPECT_EQ(r.outcome(), MeasureResult::CRASHED);
  EXPECT_EQ(r.message(), "the measurement failed (exit 1): context full");

  ChildResult signalled;
  signalled.signal = SIGSEGV;
  r = ResultFromChild(req, signalled);
  EXPECT_EQ(r.outcome(), MeasureResult::CRASHED);
  EXPECT_EQ(r.child_exit_code(), -1);
  EXPECT_NE(r.message().find("signal 11"), std::string::npos);

  ChildResult late;
  late.signal = SIGKILL;
  late.killed_for = KillReason::kDeadline;
  EXPECT_EQ(ResultFromChild(req, late).outcome(), MeasureResult::TIMEOUT);
  late.killed_for = KillReason::kMemoryCap;
  late.peak_rss_bytes = 2000;
  r = ResultFromChild(req, late);
  EXPECT_EQ(r.outcome(), MeasureResult::OUT_OF_MEMORY);
  EXPECT_EQ(r.message(), "resident memory 2000 bytes exceeded the memory cap of 1000 bytes; "
                         "the measurement was killed");

  EXPECT_EQ(ResultFromChild(req, Exited(0, "not json")).outcome(), MeasureResult::CRASHED);
  // Fields of the wrong type neither crash the agent nor pass as figures.
  std::string odd = Report(1000, 800, true);
  odd.replace(odd.find("{\"noisy\": true}"), 15, "null");
  EXPECT_EQ(ResultFromChild(req, Exited(0, odd)).outcome(), MeasureResult::OK);
  EXPECT_EQ(ResultFromChild(req, Exited(0, R"({"schema": "liv-measure/1", "model": 5})")).outcome(),
            MeasureResult::CRASHED);
}

TEST(MeasurerTest, ImplausibleMemoryIsInvalid) {
  const MeasureRequest req = Request();
  MeasureResult r = ResultFromChild(req, Exited(0, Report(500, 800, true)));
  EXPECT_EQ(r.outcome(), MeasureResult::INVALID);
  EXPECT_EQ(r.message(), "peak memory 500 bytes is below the weight bytes 800: the memory figure cannot be right");
  r = ResultFromChild(req, Exited(0, Report(1000, 800, true, /*valid=*/false)));
  EXPECT_EQ(r.outcome(), MeasureResult::INVALID);
  EXPECT_EQ(r.message(), "probe says no");
}

TEST(MeasurerTest, FiguresAndTheIntervalOfAPointThatMetItsBound) {
  const MeasureRequest req = Request();  // target_ci 0.02
  MeasureResult r = ResultFromChild(req, Exited(0, Report(1000, 800, true)));
  ASSERT_EQ(r.outcome(), MeasureResult::OK) << r.message();
  EXPECT_EQ(r.peak_memory_bytes(), 1000u);
  EXPECT_EQ(r.predicted_peak_memory_bytes(), 900u);
  EXPECT_EQ(r.probe_bytes(), 100u);
  EXPECT_EQ(r.kernel_path(), "avx512");
  EXPECT_TRUE(r.machine_noisy());
  ASSERT_EQ(r.prefill_size(), 1);
  const Summary& t = r.prefill(0).time_ms();
  EXPECT_EQ(t.repetitions(), 6u);
  EXPECT_DOUBLE_EQ(t.ci95_low(), 98);   // widened from 99.5 to the claimed +-2%
  EXPECT_DOUBLE_EQ(t.ci95_high(), 102);
  r = ResultFromChild(req, Exited(0, Report(1000, 800, false)));
  EXPECT_DOUBLE_EQ(r.prefill(0).time_ms().ci95_low(), 99.5);  // no claim, no widening
  EXPECT_EQ(r.prefill(0).bound_reason(), "machine noisy");
}

TEST(MeasurerTest, ArgumentsCarryTheWholeProtocol) {
  const auto args = LivMeasureArgs(Request());
  const std::string joined = [&] {
    std::string s;
    for (const auto& a : args) s += a + " ";
    return s;
  }();
  for (const char* expected : {"-m - ", "-w f32 ", "-p 32 ", "-d 0 ", "-n 4 ", "-t 1 ",
                               "--warmups 0 ", "--min-repetitions 1 ", "--max-repetitions 1 ",
                               "--target-ci 0.02 ", "--max-batch 64 ", "--memory-cap 1000 ",
                               "--kv-type f32 ", "--quiet"}) {
    EXPECT_NE(joined.find(expected), std::string::npos) << expected << " in " << joined;
  }
  MeasureRequest f16 = Request();
  f16.mutable_protocol()->set_kv_type("f16");
  const auto f16_args = LivMeasureArgs(f16);
  const auto it = std::find(f16_args.begin(), f16_args.end(), "--kv-type");
  ASSERT_NE(it, f16_args.end());
  EXPECT_EQ(*(it + 1), "f16");
}

TEST(MeasurerTest, AGgufModelIsItsFileInTheModelsDir) {
  MeasureRequest gguf = Request();
  gguf.set_gguf("LFM2-350M-Q4_0.gguf");
  gguf.set_weight_type("q4_0");
  const auto args = LivMeasureArgs(gguf, "/srv/models");
  ASSERT_GE(args.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(args.begin(), args.begin() + 4),
            (std::vector<std::string>{"-m", "/srv/models/LFM2-350M-Q4_0.gguf", "-w", "q4_0"}));
}

}  // namespace
}  // namespace nas::agent
