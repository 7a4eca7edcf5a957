#include "star/proxy_quality.h"

#include <gtest/gtest.h>

#include "liv/model/lfm2_presets.h"

namespace nas::star {
namespace {

ArchSpec WithMixers(const ArchSpec& base, bool attention, int window, bool recurrence) {
  ArchSpec spec = base;
  for (Layer& layer : *spec.mutable_layers()) {
    if (layer.has_attention()) {
      if (!attention) {
        layer.mutable_short_conv()->set_kernel_size(3);
        layer.mutable_short_conv()->set_gating(ShortConv::DOUBLE);
      } else {
        layer.mutable_attention()->set_sliding_window(window);
      }
    }
  }
  if (recurrence) {
    Layer* l = spec.mutable_layers(0);
    l->mutable_recurrence()->set_num_heads(16);
    l->mutable_recurrence()->set_head_dim(64);
  }
  return spec;
}

TEST(ProxyQualityTest, RanksRecallCapabilityAndCapacity) {
  const ArchSpec lfm2 = *liv::PresetArchSpec("LFM2-350M");
  const double scale = 400e6;
  const double hybrid = ProxyQuality(lfm2, scale);
  const double windowed = ProxyQuality(WithMixers(lfm2, true, 128, false), scale);
  const double with_recurrence = ProxyQuality(WithMixers(lfm2, false, 0, true), scale);
  const double conv_only = ProxyQuality(WithMixers(lfm2, false, 0, false), scale);
  EXPECT_GT(hybrid, windowed);
  EXPECT_GT(windowed, with_recurrence);
  EXPECT_GT(with_recurrence, conv_only);
  EXPECT_GT(ProxyQuality(*liv::PresetArchSpec("LFM2-1.2B"), 2e9),
            ProxyQuality(lfm2, 2e9));  // more capacity, same recall
  EXPECT_GE(conv_only, 0.0);
  EXPECT_LE(hybrid, 1.0);
  // conv only: recall is kernel 3 / 64
  const double capacity_only = 2 * (conv_only - 0.5 * 3 / 64.0);
  EXPECT_GT(capacity_only, 0.9);
}

}  // namespace
}  // namespace nas::star
