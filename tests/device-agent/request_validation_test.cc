#include "device-agent/request_validation.h"

#include <gtest/gtest.h>

#include "liv/model/lfm2_presets.h"

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
  EXPECT_EQ(ErrorOf(MeasureRequest()), "model: set spec or preset");
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

}  // namespace
}  // namespace nas::agent
