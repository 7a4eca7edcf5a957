#include "liv/model/lfm2_presets.h"

#include <gtest/gtest.h>

#include "liv/model/arch_spec_validate.h"
#include "liv/model/weight_layout.h"

namespace nas::liv {
namespace {

TEST(Lfm2PresetsTest, FfnWidthRuleMatchesPublishedWidths) {
  EXPECT_EQ(AdjustFfDim(6656), 4608);
  EXPECT_EQ(AdjustFfDim(10240), 6912);
  EXPECT_EQ(AdjustFfDim(12288), 8192);
  EXPECT_EQ(AdjustFfDim(256 * 3 / 2), 256);       // exact multiple stays
  EXPECT_EQ(AdjustFfDim(300), 256);               // int(200) rounds up to 256
  EXPECT_EQ(AdjustFfDim(1000, 1.5), 1024);        // int(1.5 * 666) = 999 -> 1024
}

struct Expected {
  const char* name;
  uint64_t parameters;
  int layers, d_model, heads, ff;
  std::vector<int> attention;
};

TEST(Lfm2PresetsTest, ExactShapesAndParameterCounts) {
  const Expected expected[] = {
      {"LFM2-350M", 354'483'968, 16, 1024, 16, 4608, {2, 5, 8, 10, 12, 14}},
      {"LFM2-700M", 742'489'344, 16, 1536, 24, 6912, {2, 5, 8, 10, 12, 14}},
      {"LFM2-1.2B", 1'170'340'608, 16, 2048, 32, 8192, {2, 5, 8, 10, 12, 14}},
      {"LFM2-2.6B", 2'569'272'320, 30, 2048, 32, 10752, {2, 5, 9, 13, 17, 21, 24, 27}},
  };
  ASSERT_EQ(PresetNames().size(), 4u);
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.name);
    auto spec = PresetArchSpec(e.name);
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_TRUE(ValidateArchSpec(*spec).ok());
    EXPECT_EQ(CountParameters(*spec), e.parameters);
    EXPECT_EQ(spec->vocab_size(), 65536u);
    EXPECT_TRUE(spec->tie_embeddings());
    EXPECT_FLOAT_EQ(spec->norm_eps(), 1e-5f);
    EXPECT_EQ(spec->context_length(), 32768u);
    ASSERT_EQ(spec->layers_size(), e.layers);
    EXPECT_EQ(spec->d_model(), static_cast<uint32_t>(e.d_model));
    std::vector<int> attention;
    for (int i = 0; i < spec->layers_size(); ++i) {
      const Layer& l = spec->layers(i);
      EXPECT_EQ(l.swiglu().hidden(), static_cast<uint32_t>(e.ff));
      if (l.has_attention()) {
        attention.push_back(i);
        EXPECT_EQ(l.attention().num_heads(), static_cast<uint32_t>(e.heads));
        EXPECT_EQ(l.attention().num_kv_heads(), 8u);
        EXPECT_EQ(l.attention().head_dim(), 64u);
        EXPECT_TRUE(l.attention().qk_norm());
        EXPECT_FLOAT_EQ(l.attention().rope_theta(), 1e6f);
        EXPECT_EQ(l.attention().sliding_window(), 0u);
      } else {
        EXPECT_EQ(l.short_conv().kernel_size(), 3u);
        EXPECT_EQ(l.short_conv().gating(), ShortConv::DOUBLE);
      }
    }
    EXPECT_EQ(attention, e.attention);
  }
}

TEST(Lfm2PresetsTest, LookupIsCaseInsensitiveAndUnknownNamesListThePresets) {
  EXPECT_TRUE(PresetArchSpec("lfm2-1.2b").ok());
  auto missing = PresetArchSpec("LFM2-9B");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("LFM2-350M, LFM2-700M, LFM2-1.2B, LFM2-2.6B"),
            std::string::npos);
}

}  // namespace
}  // namespace nas::liv
