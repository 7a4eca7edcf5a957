// liv-measure on GGUF checkpoints, as a process: a tiny LFM2 GGUF (f32 and Q8_0) is
// measured with the file's own weights and, unless -w says otherwise, in the file's weight
// type; the report names the file, its size and where the weights came from; the memory
// cap is checked before loading; unreadable and non-LFM2 files are errors naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "liv/model/spec_source.h"
#include "liv/model/weight_layout.h"
#include "nlohmann/json.hpp"
#include "tests/liv/formats/lfm2_gguf_file.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"
#include "tests/liv/tools/run_command.h"

namespace nas::liv {
namespace {

using testing::RunCommand;
using testing::RunResult;
using gguf_test::TempPath;

// One short point of each kind: the model is tiny, the test is about the source.
const std::string kQuickProtocol =
    " -p 8 -d 0 -n 2 -r 1 --warmups 0 -t 1 --no-noise-probe --quiet";

// liv-measure's JSON report on `model` with the quick protocol and `flags`.
nlohmann::json MeasureQuick(const std::string& model, const std::string& flags = "") {
  return testing::RunJson(NAS_LIV_MEASURE_BIN, "-m " + model + flags + kQuickProtocol);
}

std::string WriteTiny(const std::string& name, GgmlType type) {
  const std::string path = TempPath(name);
  const absl::Status written = testing::WriteTinyLfm2Gguf(path, type);
  EXPECT_TRUE(written.ok()) << written;
  return path;
}

TEST(LivMeasureGgufTest, MeasuresTheFilesOwnWeightsInItsType) {
  const std::string path = WriteTiny("tiny-f32.gguf", GgmlType::kF32);
  const auto j = MeasureQuick(path);
  ASSERT_FALSE(j.is_discarded());
  const auto& model = j["model"];
  EXPECT_EQ(model["source"], path);
  EXPECT_EQ(model["weights"], "gguf");
  EXPECT_EQ(model["weight_type"], "f32");
  EXPECT_EQ(model["file_weight_type"], "f32");
  EXPECT_EQ(model["file_bytes"].get<uint64_t>(), std::filesystem::file_size(path));
  EXPECT_EQ(model["file_fingerprint"], testing::FileFingerprint(path));
  EXPECT_EQ(model["name"], "tiny-lfm2");
  const ArchSpec spec = LoadArchSpec(testing::kTinyLfm2Spec).value();
  EXPECT_EQ(model["parameters"].get<uint64_t>(), CountParameters(spec));
  EXPECT_EQ(model["spec"]["d_model"], 64);
  ASSERT_EQ(j["prefill"].size(), 1u);
  EXPECT_GT(j["prefill"][0]["time_ms"]["median"].get<double>(), 0);
  ASSERT_EQ(j["decode"].size(), 1u);
}

// A Q8_0 file is measured in Q8_0 by default, and in -w's type when given.
TEST(LivMeasureGgufTest, Q8FileIsMeasuredInQ8UnlessTheWeightsFlagOverrides) {
  const std::string path = WriteTiny("tiny-q8.gguf", GgmlType::kQ8_0);
  for (const auto& [flags, measured] : {std::pair<std::string, std::string>{"", "q8_0"},
                                        {" -w f32", "f32"}}) {
    const auto j = MeasureQuick(path, flags);
    ASSERT_FALSE(j.is_discarded()) << flags;
    EXPECT_EQ(j["model"]["weights"], "gguf");
    EXPECT_EQ(j["model"]["weight_type"], measured);
    EXPECT_EQ(j["model"]["file_weight_type"], "q8_0");
  }
}

TEST(LivMeasureGgufTest, RecognisesTheMagicWithoutTheExtension) {
  const std::string gguf = WriteTiny("tiny-magic.gguf", GgmlType::kF32);
  const std::string path = TempPath("tiny-magic.bin");
  std::filesystem::copy_file(gguf, path, std::filesystem::copy_options::overwrite_existing);
  const auto j = MeasureQuick(path);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["model"]["weights"], "gguf");
  EXPECT_EQ(j["model"]["source"], path);
}

TEST(LivMeasureGgufTest, SpecFilesStillGetRandomWeights) {
  const auto j = MeasureQuick(testing::kTinyLfm2Spec);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["model"]["weights"], "random");
  EXPECT_EQ(j["model"]["weight_type"], "f32");
  EXPECT_TRUE(j["model"]["file_bytes"].is_null());
  EXPECT_TRUE(j["model"]["file_weight_type"].is_null());
  EXPECT_TRUE(j["model"]["file_fingerprint"].is_null());
}

TEST(LivMeasureGgufTest, MemoryCapIsCheckedBeforeLoading) {
  const std::string path = WriteTiny("tiny-cap.gguf", GgmlType::kF32);
  const RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, "-m " + path + " --memory-cap 1" +
                                                          kQuickProtocol);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("predicted peak memory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exceeds the memory cap 1 bytes"), std::string::npos) << r.err;
}

TEST(LivMeasureGgufTest, AnotherArchitectureIsAnErrorNamingTheFile) {
  const std::string path = TempPath("measure-llama.gguf");
  ASSERT_TRUE(testing::WriteGgufOfArchitecture(path, "llama").ok());
  const RunResult r = RunCommand(NAS_LIV_MEASURE_BIN, "-m " + path + kQuickProtocol);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "liv-measure: " + path + ": unsupported architecture llama (only lfm2)\n");
}

TEST(LivMeasureGgufTest, MissingAndMalformedFilesAreErrorsNamingTheFile) {
  const std::string missing = TempPath("no-such-model.gguf");
  const RunResult absent = RunCommand(NAS_LIV_MEASURE_BIN, "-m " + missing + kQuickProtocol);
  EXPECT_EQ(absent.exit_code, 2) << absent.err;
  EXPECT_NE(absent.err.find(missing), std::string::npos) << absent.err;

  const std::string garbage = TempPath("garbage.gguf");
  {
    std::FILE* f = std::fopen(garbage.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("GGUF but not really", f);
    std::fclose(f);
  }
  const RunResult bad = RunCommand(NAS_LIV_MEASURE_BIN, "-m " + garbage + kQuickProtocol);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(bad.err.rfind("liv-measure: " + garbage, 0), 0u) << bad.err;
}

}  // namespace
}  // namespace nas::liv
