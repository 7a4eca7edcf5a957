// The weight layout with cross-layer weight sharing: a sharer stores nothing, reads its
// source's tensors, and parameters are counted once (counts by hand in test_specs.h).
#include "liv/model/weight_layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/liv/runtime/test_specs.h"

namespace nas::liv {
namespace {

using testing::AttentionLayer;
using testing::HandCountedWeightSharingSpec;
using testing::SharingWeightsOf;
using testing::WithSwiGlu;

ArchSpec WithoutWeightSharing(ArchSpec spec) {
  for (Layer& layer : *spec.mutable_layers()) layer.clear_weight_source_layer();
  return spec;
}

uint64_t Elements(const std::vector<TensorShape>& tensors) {
  uint64_t n = 0;
  for (const TensorShape& t : tensors) n += t.elements();
  return n;
}

TEST(WeightLayoutTest, SharedWeightsAreCountedOnce) {
  const ArchSpec spec = HandCountedWeightSharingSpec();
  const ArchSpec twin = WithoutWeightSharing(spec);
  EXPECT_EQ(CountParameters(twin), 568u);
  EXPECT_EQ(CountParameters(spec), 412u);
  EXPECT_EQ(Elements(LayerTensors(twin, 0)), 156u);
  EXPECT_EQ(CountParameters(spec), CountParameters(twin) - Elements(LayerTensors(twin, 0)));
}

TEST(WeightLayoutTest, ASharerStoresNothingAndReadsItsSourcesTensors) {
  const ArchSpec spec = HandCountedWeightSharingSpec();
  EXPECT_EQ(WeightOwner(spec, 0), 0);
  EXPECT_EQ(WeightOwner(spec, 2), 0);
  EXPECT_EQ(WeightOwner(spec, 3), 3);
  EXPECT_FALSE(OwnsWeights(spec.layers(2)));
  for (const TensorShape& t : WeightLayout(spec)) {
    EXPECT_NE(t.layer, 2) << t.name;
    EXPECT_NE(t.name.rfind("blk.2.", 0), 0u) << t.name;
  }
  const std::vector<TensorShape> source = LayerTensors(spec, 0);
  const std::vector<TensorShape> sharer = LayerTensors(spec, 2);
  ASSERT_EQ(sharer.size(), source.size());
  ASSERT_EQ(source.size(), 8u);  // attn_norm, in_proj, taps, out_proj, ffn_norm, gate/up/down
  for (size_t k = 0; k < source.size(); ++k) {
    EXPECT_EQ(sharer[k].name, source[k].name);
    EXPECT_EQ(sharer[k].layer, 0);
    EXPECT_EQ(sharer[k].rows, source[k].rows);
    EXPECT_EQ(sharer[k].cols, source[k].cols);
    EXPECT_EQ(sharer[k].role, source[k].role);
  }
  EXPECT_EQ(sharer.front().name, "blk.0.attn_norm");
  // Every layer that owns its weights lists exactly its stored tensors.
  std::vector<TensorShape> stored;
  for (int i : {0, 1, 3}) {
    for (const TensorShape& t : LayerTensors(spec, i)) stored.push_back(t);
  }
  EXPECT_EQ(Elements(stored) + 40 + 4, CountParameters(spec));
}

// A KV sharer reads no K/V projections of its source, even when the source has them.
TEST(WeightLayoutTest, AKvSharerReadsNoKvWeightsOfItsSource) {
  ArchSpec spec = HandCountedWeightSharingSpec();
  *spec.add_layers() = SharingWeightsOf(WithSwiGlu(AttentionLayer(2, 1, 2, true, 0, 1), 6), 1);
  std::vector<std::string> names;
  for (const TensorShape& t : LayerTensors(spec, 4)) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"blk.1.attn_norm", "blk.1.attn_q",
                                             "blk.1.attn_output", "blk.1.attn_q_norm",
                                             "blk.1.ffn_norm", "blk.1.ffn_gate", "blk.1.ffn_up",
                                             "blk.1.ffn_down"}));
  EXPECT_EQ(CountParameters(spec), 412u);
  // Without weight sharing it would store its own q, o, q_norm, norms and SwiGLU.
  EXPECT_EQ(CountParameters(WithoutWeightSharing(spec)),
            568u + 4 + 16 + 16 + 2 + 4 + 72);
}

}  // namespace
}  // namespace nas::liv
