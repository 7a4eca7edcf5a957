#include "star/report_layers.h"

#include <gtest/gtest.h>

#include "google/protobuf/text_format.h"

namespace nas::star {
namespace {

TEST(ReportLayersTest, DescribesEveryMixerAndSharing) {
  ArchSpec spec;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        d_model: 64
        layers {
          attention { num_heads: 4 num_kv_heads: 2 head_dim: 16 qk_norm: true rope_theta: 1e4 }
          swiglu { hidden: 256 }
        }
        layers {
          attention { num_heads: 2 num_kv_heads: 1 head_dim: 16 sliding_window: 32 rope_theta: 1e4 }
          gelu_mlp { hidden: 192 }
        }
        layers {
          short_conv { kernel_size: 3 gating: DOUBLE }
          no_channel_mixer {}
        }
        layers {
          short_conv { kernel_size: 3 gating: DOUBLE }
          no_channel_mixer {}
          weight_source_layer: 2
        }
        layers {
          recurrence { num_heads: 2 head_dim: 16 }
          swiglu { hidden: 128 }
        }
        layers {}
      )pb",
      &spec));
  const std::vector<results::LayerDetail> d = LayerDetails(spec);
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0].token_mixer(), "GQA 4/2 heads x16, qk-norm");
  EXPECT_EQ(d[0].channel_mixer(), "SwiGLU 256");
  EXPECT_EQ(d[0].mixer_width(), 256);
  EXPECT_EQ(d[0].width(), 64);
  EXPECT_EQ(d[1].token_mixer(), "sliding-window GQA 2/1 heads x16, window 32");
  EXPECT_EQ(d[1].channel_mixer(), "GELU 192");
  EXPECT_EQ(d[2].token_mixer(), "short conv k3, DOUBLE gating");
  EXPECT_EQ(d[2].channel_mixer(), "none");
  EXPECT_EQ(d[2].mixer_width(), 0);
  EXPECT_EQ(d[2].shares_weights_with(), "");
  EXPECT_EQ(d[3].shares_weights_with(), "layer 2");
  EXPECT_EQ(d[4].token_mixer(), "recurrence 2 heads x16");
  EXPECT_EQ(d[4].channel_mixer(), "SwiGLU 128");
  EXPECT_EQ(d[5].token_mixer(), "none");
}

TEST(ReportLayersTest, LegendCoversTheLayerStringLetters) {
  std::string letters;
  for (const results::LegendEntry& e : LayerLegend()) letters += e.letter() + " ";
  EXPECT_EQ(letters, "A W C R - a w c r ");
}

}  // namespace
}  // namespace nas::star
