#include "device-agent/request_validation.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "liv/model/lfm2_presets.h"
#include "tests/liv/formats/lfm2_gguf_file.h"

namespace nas::agent {
namespace {

std::string ErrorOf(const MeasureRequest& request, const AgentLimits& limits = {}) {
  auto result = ValidateMeasureRequest(request, limits);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

MeasureRequest Preset() {
  MeasureRequest r;
  r.set_preset("lfm2-350m");
  return r;
}

TEST(RequestValidationTest, FillsDefaultsAndExpandsPresets) {
  auto v = ValidateMeasureRequest(Preset(), {});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->has_spec());
  EXPECT_EQ(v->spec().name(), "LFM2-350M");
  EXPECT_EQ(v->weight_type(), "f32");
  const MeasureProtocol& p = v->protocol();
  EXPECT_EQ(std::vector<uint32_t>(p.prompt_lengths().begin(), p.prompt_lengths().end()),
            (std::vector<uint32_t>{512, 4096}));
  EXPECT_EQ(std::vector<uint32_t>(p.decode_depths().begin(), p.decode_depths().end()),
            (std::vector<uint32_t>{0, 4096}));
  EXPECT_EQ(p.decode_tokens(), 32u);
  EXPECT_EQ(p.warmups(), 1u);
  EXPECT_EQ(p.kv_type(), "f32");
  EXPECT_EQ(p.min_repetitions(), 6u);
  EXPECT_EQ(p.max_repetitions(), 30u);
  EXPECT_DOUBLE_EQ(p.target_ci(), 0.02);
  EXPECT_EQ(v->deadline_seconds(), 1800u);
  EXPECT_EQ(v->memory_cap_bytes(), MemoryLimitOf({}));
}

TEST(RequestValidationTest, ExplicitZeroWarmupsIsKept) {
  MeasureRequest r = Preset();
  r.mutable_protocol()->set_warmups(0);
  EXPECT_EQ(ValidateMeasureRequest(r, {})->protocol().warmups(), 0u);
}

TEST(RequestValidationTest, ErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(MeasureRequest()), "model: set spec, preset or gguf");
  MeasureRequest r = Preset();
  r.set_preset("lfm2-9b");
  EXPECT_EQ(ErrorOf(r).rfind("preset: unknown preset \"lfm2-9b\"", 0), 0u) << ErrorOf(r);

  r = MeasureRequest();
  *r.mutable_spec() = *liv::PresetArchSpec("LFM2-350M");
  r.mutable_spec()->mutable_layers(2)->mutable_attention()->set_num_kv_heads(3);
  EXPECT_EQ(ErrorOf(r), "spec: layers[2].attention.num_kv_heads: 3 does not divide num_heads (16)");

  r = Preset();
  r.set_weight_type("q5_k");
  EXPECT_EQ(ErrorOf(r).rfind("weight_type: unknown weight type", 0), 0u);

  r = Preset();
  r.mutable_protocol()->set_kv_type("bf16");
  EXPECT_EQ(ErrorOf(r).rfind("protocol.kv_type: unknown", 0), 0u) << ErrorOf(r);

  r = Preset();
  r.mutable_protocol()->add_prompt_lengths(512);
  r.mutable_protocol()->add_prompt_lengths(0);
  EXPECT_EQ(ErrorOf(r), "protocol.prompt_lengths[1]: 0 is not in [1, 32768]");

  r = Preset();
  r.mutable_protocol()->add_decode_depths(32768);
  EXPECT_EQ(ErrorOf(r),
            "protocol.decode_depths[0]: 32768 + 32 decode tokens exceed the context limit 32768");

  r = Preset();
  r.mutable_protocol()->set_min_repetitions(10);
  r.mutable_protocol()->set_max_repetitions(5);
  EXPECT_EQ(ErrorOf(r), "protocol.max_repetitions: 5 is not in [min_repetitions (10), 1000]");

  r = Preset();
  r.mutable_protocol()->set_target_ci(2);
  EXPECT_EQ(ErrorOf(r), "protocol.target_ci: 2 is not in [1e-06, 1]");

  r = Preset();
  r.set_memory_cap_bytes(1ull << 50);
  EXPECT_EQ(ErrorOf(r).rfind("memory_cap_bytes: 1125899906842624 exceeds this agent's limit", 0), 0u);

  r = Preset();
  r.set_deadline_seconds(100000);
  EXPECT_EQ(ErrorOf(r), "deadline_seconds: 100000 exceeds the limit of 14400");

  AgentLimits small;
  small.max_parameters = 1000;
  EXPECT_NE(ErrorOf(Preset(), small).find("exceed the cap of 1,000"), std::string::npos)
      << ErrorOf(Preset(), small);
}

// A models dir holding tiny.gguf (f32), tiny-q8.gguf (Q8_0) and llama.gguf (not LFM2).
class GgufRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (std::filesystem::path(::testing::TempDir()) / "request-validation-models").string());
    std::filesystem::create_directories(*dir_);
    ASSERT_TRUE(liv::testing::WriteTinyLfm2Gguf(*dir_ + "/tiny.gguf").ok());
    ASSERT_TRUE(liv::testing::WriteTinyLfm2Gguf(*dir_ + "/tiny-q8.gguf", liv::GgmlType::kQ8_0)
                    .ok());
    ASSERT_TRUE(liv::testing::WriteGgufOfArchitecture(*dir_ + "/llama.gguf", "llama").ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static AgentLimits Limits() {
    AgentLimits limits;
    limits.models_dir = *dir_;
    return limits;
  }
  static MeasureRequest Gguf(const std::string& name) {
    MeasureRequest r;
    r.set_gguf(name);
    return r;
  }
  static absl::Status StatusOf(const MeasureRequest& r, const AgentLimits& limits = Limits()) {
    return ValidateMeasureRequest(r, limits).status();
  }

  static std::string* dir_;
};

std::string* GgufRequestTest::dir_ = nullptr;

TEST_F(GgufRequestTest, KeepsTheFileAndDefaultsToItsWeightType) {
  auto v = ValidateMeasureRequest(Gguf("tiny.gguf"), Limits());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->has_gguf());
  EXPECT_EQ(v->gguf(), "tiny.gguf");
  EXPECT_EQ(v->weight_type(), "f32");
  EXPECT_EQ(v->protocol().decode_tokens(), 32u);  // defaults filled as for any model

  auto q8 = ValidateMeasureRequest(Gguf("tiny-q8.gguf"), Limits());
  ASSERT_TRUE(q8.ok()) << q8.status();
  EXPECT_EQ(q8->weight_type(), "q8_0");

  MeasureRequest asked = Gguf("tiny-q8.gguf");
  asked.set_weight_type("f16");
  auto f16 = ValidateMeasureRequest(asked, Limits());
  ASSERT_TRUE(f16.ok()) << f16.status();
  EXPECT_EQ(f16->weight_type(), "f16");
}

TEST_F(GgufRequestTest, NamesMustBePlainFileNames) {
  EXPECT_EQ(StatusOf(Gguf("")),
            absl::InvalidArgumentError("gguf: empty (a file name in the agent's models dir)"));
  EXPECT_EQ(StatusOf(Gguf("../tiny.gguf")),
            absl::InvalidArgumentError(
                "gguf: \"../tiny.gguf\" is not a plain file name (no '/', '.' or '..')"));
  EXPECT_EQ(StatusOf(Gguf("/etc/passwd")),
            absl::InvalidArgumentError(
                "gguf: \"/etc/passwd\" is not a plain file name (no '/', '.' or '..')"));
  EXPECT_EQ(StatusOf(Gguf("..")),
            absl::InvalidArgumentError(
                "gguf: \"..\" is not a plain file name (no '/', '.' or '..')"));
}

TEST_F(GgufRequestTest, AnAgentWithoutModelsDirRefuses) {
  EXPECT_EQ(StatusOf(Gguf("tiny.gguf"), AgentLimits{}),
            absl::FailedPreconditionError(
                "gguf: tiny.gguf: this agent has no models dir (start it with --models-dir)"));
}

TEST_F(GgufRequestTest, AMissingFileIsNotFound) {
  EXPECT_EQ(StatusOf(Gguf("LFM2-350M-Q4_0.gguf")),
            absl::NotFoundError("gguf: LFM2-350M-Q4_0.gguf is not a file in the models dir " +
                                *dir_));
}

// The coordinator's fingerprint must be this file's: same name, same checkpoint.
TEST_F(GgufRequestTest, AFingerprintMustMatchTheFile) {
  const std::string fingerprint = liv::testing::FileFingerprint(*dir_ + "/tiny-q8.gguf");
  MeasureRequest same = Gguf("tiny-q8.gguf");
  same.set_gguf_fingerprint(fingerprint);
  EXPECT_TRUE(StatusOf(same).ok()) << StatusOf(same);

  MeasureRequest other = Gguf("tiny.gguf");  // the f32 file under the q8 file's fingerprint
  other.set_gguf_fingerprint(fingerprint);
  EXPECT_EQ(StatusOf(other),
            absl::FailedPreconditionError(
                "gguf: tiny.gguf in the models dir " + *dir_ +
                " is not the coordinator's file (its fingerprint is " +
                liv::testing::FileFingerprint(*dir_ + "/tiny.gguf") + "; gguf_fingerprint is " + fingerprint + ")"));

  MeasureRequest spec_model;
  spec_model.set_preset("lfm2-350m");
  spec_model.set_gguf_fingerprint(fingerprint);
  EXPECT_EQ(StatusOf(spec_model),
            absl::InvalidArgumentError("gguf_fingerprint: set only with gguf"));
}

TEST_F(GgufRequestTest, AnotherArchitectureIsInvalid) {
  EXPECT_EQ(StatusOf(Gguf("llama.gguf")),
            absl::InvalidArgumentError("gguf: " + *dir_ +
                                       "/llama.gguf: unsupported architecture llama (only lfm2)"));
}

TEST_F(GgufRequestTest, TheFilesSpecMeetsTheLimits) {
  AgentLimits small = Limits();
  small.max_parameters = 1000;
  const absl::Status status = StatusOf(Gguf("tiny.gguf"), small);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("gguf: tiny.gguf: spec: ", 0), 0u) << status;
  EXPECT_NE(status.message().find("exceed the cap of 1,000"), std::string::npos) << status;

  MeasureRequest bad_type = Gguf("tiny.gguf");
  bad_type.set_weight_type("q3");
  EXPECT_EQ(StatusOf(bad_type).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusOf(bad_type).message().rfind("weight_type: ", 0), 0u) << StatusOf(bad_type);
}

}  // namespace
}  // namespace nas::agent
