#include "star/layer_string.h"

#include <gtest/gtest.h>

#include "liv/model/lfm2_presets.h"

namespace nas::star {
namespace {

TEST(LayerStringTest, Lfm2350mHasAttentionWhereTheReferenceSays) {
  EXPECT_EQ(LayerString(*liv::PresetArchSpec("LFM2-350M")), "CCACCACCACACACAC");  // attention at 2,5,8,10,12,14
}

TEST(LayerStringTest, EveryMixerAndSharedWeights) {
  ArchSpec spec;
  spec.add_layers()->mutable_attention()->set_num_heads(2);
  spec.add_layers()->mutable_attention()->set_sliding_window(8);
  spec.add_layers()->mutable_short_conv()->set_kernel_size(3);
  spec.add_layers()->mutable_recurrence()->set_num_heads(2);
  spec.add_layers()->mutable_swiglu()->set_hidden(4);  // no token mixer
  Layer* shared = spec.add_layers();
  shared->mutable_short_conv()->set_kernel_size(3);
  shared->set_weight_source_layer(2);
  EXPECT_EQ(LayerString(spec), "AWCR-c");
}

}  // namespace
}  // namespace nas::star
