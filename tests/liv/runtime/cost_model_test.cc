#include "liv/runtime/cost_model.h"

#include <gtest/gtest.h>

#include "liv/model/lfm2_presets.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/memory_plan.h"
#include "tests/liv/runtime/test_specs.h"

namespace nas::liv {
namespace {

using testing::AttentionLayer;
using testing::ConvLayer;
using testing::MakeSpec;
using testing::RecurrenceLayer;

ArchSpec Lfm2_350m() { return *PresetArchSpec("LFM2-350M"); }

// LFM2-350M: 354,418,688 weights in matrices (embedding included) and 65,280 in norms and
// conv taps (10 x 3 x 1024 taps, 32 x 1024 block norms, 6 x 2 x 64 q/k norms, 1024 final).
TEST(CostModelTest, WeightBytesPerStorageType) {
  const ArchSpec spec = Lfm2_350m();
  EXPECT_EQ(WeightBytes(spec, WeightType::kF32), 354'483'968ull * 4);
  EXPECT_EQ(WeightBytes(spec, WeightType::kF16), 354'418'688ull * 2 + 65'280ull * 4);
  EXPECT_EQ(WeightBytes(spec, WeightType::kQ8_0), 354'418'688ull / 32 * 34 + 65'280ull * 4);
  EXPECT_EQ(WeightBytes(spec, WeightType::kQ4_0), 354'418'688ull / 32 * 18 + 65'280ull * 4);
}

TEST(CostModelTest, RowBytesFallBackToF16WhenBlocksDoNotFit) {
  EXPECT_EQ(RowBytes(WeightType::kQ4_0, 64), 36u);
  EXPECT_EQ(RowBytes(WeightType::kQ8_0, 64), 68u);
  EXPECT_EQ(RowBytes(WeightType::kQ4_0, 40), 80u);
  EXPECT_EQ(RowBytes(WeightType::kF32, 40), 160u);
}

TEST(CostModelTest, WeightTypeNamesRoundTrip) {
  for (auto t : {WeightType::kF32, WeightType::kF16, WeightType::kQ8_0, WeightType::kQ4_0}) {
    EXPECT_EQ(*ParseWeightType(WeightTypeName(t)), t);
  }
  EXPECT_FALSE(ParseWeightType("q5_k").ok());
}

TEST(CostModelTest, KvTypeNamesRoundTrip) {
  for (auto t : {KvType::kF32, KvType::kF16}) EXPECT_EQ(*ParseKvType(KvTypeName(t)), t);
  EXPECT_EQ(KvElementBytes(KvType::kF32), 4u);
  EXPECT_EQ(KvElementBytes(KvType::kF16), 2u);
  const auto bad = ParseKvType("q8_0");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown KV cache type \"q8_0\" (known: f32, f16)");
}

TEST(CostModelTest, Lfm2KvCacheIs12KibPerTokenInF16) {
  const CacheBytes c = CacheBytesAt(Lfm2_350m(), 4096, KvElementBytes(KvType::kF16));
  EXPECT_EQ(c.kv, 4096ull * 12 * 1024);
  EXPECT_EQ(c.conv_state, 10ull * 2 * 1024 * 4);  // kernel 3 keeps 2 values per channel
  EXPECT_EQ(c.recurrent_state, 0u);
}

TEST(CostModelTest, CachesHonourWindowsAndSharing) {
  // Layer 0 full attention, 1 windowed (100), 2 shares layer 0's K/V, 3 recurrence.
  const ArchSpec spec = MakeSpec("mix", 50, 64,
                                 {AttentionLayer(4, 2, 16, true), AttentionLayer(4, 1, 16, true, 100),
                                  AttentionLayer(4, 2, 16, true, 0, 0), RecurrenceLayer(2, 32),
                                  ConvLayer(5, ShortConv::NONE)});
  const uint64_t full_per_token = 2 * 2 * 16 * 4, window_per_token = 2 * 1 * 16 * 4;
  for (uint64_t ctx : {10ull, 100ull, 4096ull}) {
    const CacheBytes c = CacheBytesAt(spec, ctx);
    EXPECT_EQ(c.kv, ctx * full_per_token + std::min<uint64_t>(ctx, 100) * window_per_token);
    EXPECT_EQ(c.recurrent_state, 2ull * 32 * 32 * 4);
    EXPECT_EQ(c.conv_state, 4ull * 64 * 4);
  }
}

// vocab 10, d 4, one attention layer (2 heads, 1 KV head, head_dim 2), SwiGLU 6:
// projections 16 + 8 + 8 + 16 + 3 x 24 = 120 weights -> 240 FLOPs per token; 16 FLOPs per
// key seen (q.k and p.v over 2 heads x 2 dims); output projection 2 x 10 x 4 = 80.
TEST(CostModelTest, FlopsByHand) {
  ArchSpec spec = MakeSpec("flops", 10, 4, {AttentionLayer(2, 1, 2, false)});
  spec.mutable_layers(0)->mutable_swiglu()->set_hidden(6);
  EXPECT_EQ(PrefillFlops(spec, 3), 3 * 240 + 80 + 16 * (1 + 2 + 3));
  EXPECT_EQ(DecodeFlops(spec, 5), 240 + 80 + 16 * 6);
  spec.mutable_layers(0)->mutable_attention()->set_sliding_window(2);
  EXPECT_EQ(PrefillFlops(spec, 3), 3 * 240 + 80 + 16 * (1 + 2 + 2));
  EXPECT_EQ(DecodeFlops(spec, 5), 240 + 80 + 16 * 2);
}

TEST(CostModelTest, Lfm2DecodeFlopsAreTwicePerWeightPlusAttention) {
  const ArchSpec spec = Lfm2_350m();
  // Every weight but the norms, taps and the (gathered) embedding is a multiply-add per
  // token; the tied output projection reads the embedding once more.
  const uint64_t matrix_flops = 2 * (354'418'688ull - 65536ull * 1024) + 2 * 10 * 3 * 1024;
  EXPECT_EQ(DecodeFlops(spec, 0), matrix_flops + 2 * 65536ull * 1024 + 6 * 4 * 16 * 64);
}

TEST(MemoryPlanTest, CapacitiesAndTotals) {
  const ArchSpec spec = MakeSpec("plan", 50, 64,
                                 {AttentionLayer(4, 2, 16, true), AttentionLayer(4, 1, 16, true, 100),
                                  AttentionLayer(4, 2, 16, true, 0, 0), ConvLayer(3, ShortConv::DOUBLE)});
  RuntimeOptions options;
  options.max_context = 1000;
  options.max_batch = 32;
  options.threads = 2;
  const MemoryPlan plan = PlanMemory(spec, WeightType::kF32, options);
  EXPECT_EQ(plan.kv_capacity, (std::vector<uint64_t>{1000, 132, 0, 0}));
  EXPECT_EQ(plan.kv_cache, (2 * 1000 * 2 * 16 + 2 * 132 * 16) * 4u);
  EXPECT_EQ(plan.conv_state, 2 * 64 * 4u);
  EXPECT_EQ(plan.proj_width, 3u * 64);  // the conv's B, C, x is the widest projection
  EXPECT_EQ(plan.attention_scratch, 2u * 32 * 1000 * 4);
  EXPECT_EQ(plan.weights, WeightBytes(spec, WeightType::kF32));
  EXPECT_EQ(plan.total(), plan.weights + plan.caches() + plan.activations +
                              plan.attention_scratch + plan.logits);
  options.max_context = 50;  // the window no longer matters
  EXPECT_EQ(PlanMemory(spec, WeightType::kF32, options).kv_capacity[1], 50u);
}

ArchSpec WithoutWeightSharing(ArchSpec spec) {
  for (Layer& layer : *spec.mutable_layers()) layer.clear_weight_source_layer();
  return spec;
}

// testing::HandCountedWeightSharingSpec: 412 parameters stored, 568 without sharing; layer
// 2 reads layer 0's 156 (in the quantized types its rows, of 4 or 6, fall back to f16).
TEST(CostModelTest, SharedWeightsAreStoredOnceAndReadByEveryUser) {
  const ArchSpec spec = testing::HandCountedWeightSharingSpec();
  const ArchSpec twin = WithoutWeightSharing(spec);
  EXPECT_EQ(WeightBytes(spec, WeightType::kF32), 412u * 4);
  EXPECT_EQ(WeightBytes(twin, WeightType::kF32), 568u * 4);
  for (auto type : {WeightType::kF32, WeightType::kF16, WeightType::kQ8_0, WeightType::kQ4_0}) {
    SCOPED_TRACE(std::string(WeightTypeName(type)));
    uint64_t layer0 = 0;
    for (const TensorShape& t : LayerTensors(spec, 0)) {
      const bool in_type = t.role == TensorRole::kMatrix;
      layer0 += in_type ? t.rows * RowBytes(type, t.cols) : 4 * t.elements();
    }
    EXPECT_EQ(WeightBytes(spec, type), WeightBytes(twin, type) - layer0);
    // A decode step reads layer 0's weights twice: as much as the unshared twin stores.
    EXPECT_EQ(DecodeWeightBytesRead(spec, type), WeightBytes(twin, type));
    EXPECT_EQ(DecodeWeightBytesRead(twin, type), WeightBytes(twin, type));
  }
  EXPECT_EQ(DecodeWeightBytesRead(Lfm2_350m(), WeightType::kQ4_0),
            WeightBytes(Lfm2_350m(), WeightType::kQ4_0));
}

// Per token: each conv layer 2 x (48 + 12 + 16 + 72) = 296 (the sharer computes too), the
// attention 2 x 120 = 240, the recurrence 2 x 72 + 4 x 1 x 2 x 2 = 160; output 2 x 10 x 4
// = 80; 16 FLOPs per key seen by the attention layer.
TEST(CostModelTest, WeightSharingChangesNeitherFlopsNorCaches) {
  const ArchSpec spec = testing::HandCountedWeightSharingSpec();
  const ArchSpec twin = WithoutWeightSharing(spec);
  const uint64_t per_token = 2 * 296 + 240 + 160;
  EXPECT_EQ(DecodeFlops(spec, 5), per_token + 80 + 16 * 6);
  EXPECT_EQ(PrefillFlops(spec, 3), 3 * per_token + 80 + 16 * (1 + 2 + 3));
  for (uint64_t n : {1ull, 7ull, 100ull}) {
    EXPECT_EQ(PrefillFlops(spec, n), PrefillFlops(twin, n));
    EXPECT_EQ(DecodeFlops(spec, n), DecodeFlops(twin, n));
    const CacheBytes a = CacheBytesAt(spec, n), b = CacheBytesAt(twin, n);
    EXPECT_EQ(a.kv, b.kv);
    EXPECT_EQ(a.conv_state, b.conv_state);
    EXPECT_EQ(a.recurrent_state, b.recurrent_state);
  }
  // Two conv states (layers 0 and 2): kernel 3 keeps 2 values per channel each.
  EXPECT_EQ(CacheBytesAt(spec, 10).conv_state, 2u * 2 * 4 * 4);
}

TEST(MemoryPlanTest, WeightSharingShrinksOnlyTheWeightsByTheSharedBytes) {
  const ArchSpec spec = testing::HandCountedWeightSharingSpec();
  RuntimeOptions options;
  options.max_context = 100;
  options.max_batch = 8;
  options.threads = 2;
  const MemoryPlan shared = PlanMemory(spec, WeightType::kF32, options);
  const MemoryPlan twin = PlanMemory(WithoutWeightSharing(spec), WeightType::kF32, options);
  EXPECT_EQ(shared.weights, twin.weights - 156u * 4);
  EXPECT_EQ(shared.kv_capacity, twin.kv_capacity);
  EXPECT_EQ(shared.kv_cache, twin.kv_cache);
  EXPECT_EQ(shared.conv_state, twin.conv_state);
  EXPECT_EQ(shared.conv_state, 2u * AlignedFloats(2 * 4) * 4);  // each conv keeps its own
  EXPECT_EQ(shared.recurrent_state, twin.recurrent_state);
  EXPECT_EQ(shared.activations, twin.activations);
  EXPECT_EQ(shared.attention_scratch, twin.attention_scratch);
  EXPECT_EQ(shared.logits, twin.logits);
  EXPECT_EQ(shared.total(), twin.total() - 156u * 4);
}

}  // namespace
}  // namespace nas::liv
