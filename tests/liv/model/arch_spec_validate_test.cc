#include "liv/model/arch_spec_validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "liv/model/weight_layout.h"

namespace nas::liv {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Attention* AddAttention(ArchSpec& spec, uint32_t heads = 4, uint32_t kv_heads = 2,
                        uint32_t head_dim = 16) {
  Layer* layer = spec.add_layers();
  Attention* a = layer->mutable_attention();
  a->set_num_heads(heads);
  a->set_num_kv_heads(kv_heads);
  a->set_head_dim(head_dim);
  a->set_rope_theta(1e6f);
  layer->mutable_swiglu()->set_hidden(128);
  return a;
}

// conv, attention, recurrence, attention: every rule below breaks one field of this spec.
ArchSpec ValidSpec() {
  ArchSpec spec;
  spec.set_name("valid");
  spec.set_vocab_size(256);
  spec.set_d_model(64);
  spec.set_norm_eps(1e-5f);
  spec.set_tie_embeddings(true);
  Layer* conv = spec.add_layers();
  conv->mutable_short_conv()->set_kernel_size(3);
  conv->mutable_short_conv()->set_gating(ShortConv::DOUBLE);
  conv->mutable_swiglu()->set_hidden(128);
  AddAttention(spec);
  Layer* rec = spec.add_layers();
  rec->mutable_recurrence()->set_num_heads(4);
  rec->mutable_recurrence()->set_head_dim(16);
  rec->mutable_gelu_mlp()->set_hidden(128);
  AddAttention(spec);
  return spec;
}

std::string ErrorOf(const ArchSpec& spec, const ValidationLimits& limits = {}) {
  const absl::Status status = ValidateArchSpec(spec, limits);
  if (status.ok()) return "OK";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(ValidateArchSpecTest, ValidSpecPasses) { EXPECT_EQ(ErrorOf(ValidSpec()), "OK"); }

TEST(ValidateArchSpecTest, KvSharingWithinTheSourceWindowPasses) {
  ArchSpec spec = ValidSpec();
  spec.mutable_layers(1)->mutable_attention()->set_sliding_window(128);
  Attention* sharer = spec.mutable_layers(3)->mutable_attention();
  sharer->set_kv_source_layer(1);
  for (uint32_t window : {1u, 64u, 128u}) {
    sharer->set_sliding_window(window);
    EXPECT_EQ(ErrorOf(spec), "OK") << window;
  }
}

TEST(ValidateArchSpecTest, KvSharingFromAFullLayerAllowsAnyWindow) {
  ArchSpec spec = ValidSpec();
  spec.mutable_layers(3)->mutable_attention()->set_kv_source_layer(1);
  EXPECT_EQ(ErrorOf(spec), "OK");
  spec.mutable_layers(3)->mutable_attention()->set_sliding_window(512);
  EXPECT_EQ(ErrorOf(spec), "OK");
}

Attention& Att(ArchSpec& s, int i) { return *s.mutable_layers(i)->mutable_attention(); }

void ShareWeights(ArchSpec& spec, int layer, uint32_t source) {
  spec.mutable_layers(layer)->set_weight_source_layer(source);
}

// A copy of layer `source` appended to the spec, sharing its weights.
Layer& AddSharer(ArchSpec& spec, int source) {
  Layer* layer = spec.add_layers();
  *layer = spec.layers(source);
  layer->set_weight_source_layer(source);
  return *layer;
}

TEST(ValidateArchSpecTest, WeightSharingOfEveryMixerPasses) {
  ArchSpec spec = ValidSpec();
  ShareWeights(spec, 3, 1);  // attention + SwiGLU
  AddSharer(spec, 0);        // short_conv + SwiGLU
  AddSharer(spec, 2);        // recurrence + GELU
  spec.mutable_layers(0)->mutable_no_channel_mixer();
  spec.mutable_layers(4)->mutable_no_channel_mixer();
  EXPECT_EQ(ErrorOf(spec), "OK");
}

TEST(ValidateArchSpecTest, WeightSharingCombinesWithKvSharing) {
  ArchSpec spec = ValidSpec();
  // Layer 3 shares both K/V and weights with layer 1.
  ShareWeights(spec, 3, 1);
  Att(spec, 3).set_kv_source_layer(1);
  EXPECT_EQ(ErrorOf(spec), "OK");
  // Layer 4: weights of layer 1 (which computes its own K/V), K/V of layer 1 too.
  AddSharer(spec, 1).mutable_attention()->set_kv_source_layer(1);
  // Layer 5: its own weights, computing K/V; layer 6: weights of 1, K/V of 5.
  Layer& five = *spec.add_layers();
  five = spec.layers(1);
  AddSharer(spec, 1).mutable_attention()->set_kv_source_layer(5);
  EXPECT_EQ(ErrorOf(spec), "OK");
  // Layer 7: a KV sharer lending its weights to layer 8, another KV sharer (of layer 5).
  AddSharer(spec, 1).clear_weight_source_layer();
  Att(spec, 7).set_kv_source_layer(1);
  AddSharer(spec, 7).mutable_attention()->set_kv_source_layer(5);
  EXPECT_EQ(ErrorOf(spec), "OK");
}

TEST(ValidateArchSpecTest, ASharersOwnFieldsAreCheckedFirst) {
  ArchSpec spec = ValidSpec();
  ShareWeights(spec, 3, 1);
  Att(spec, 3).set_num_heads(0);
  EXPECT_EQ(ErrorOf(spec), "layers[3].attention.num_heads: must be > 0");
}

TEST(ValidateArchSpecTest, SharedWeightsCountOnceAgainstTheParameterCap) {
  ArchSpec spec = ValidSpec();
  const uint64_t unshared = CountParameters(spec);
  ShareWeights(spec, 3, 1);
  ValidationLimits limits;
  limits.max_parameters = CountParameters(spec);
  ASSERT_LT(limits.max_parameters, unshared);
  EXPECT_EQ(ErrorOf(spec, limits), "OK");
}

TEST(ValidateArchSpecTest, NoChannelMixerIsAllowed) {
  ArchSpec spec = ValidSpec();
  spec.mutable_layers(0)->mutable_no_channel_mixer();
  EXPECT_EQ(ErrorOf(spec), "OK");
}

TEST(ValidateArchSpecTest, ParameterCapIsExactAndNamed) {
  const ArchSpec spec = ValidSpec();
  const uint64_t parameters = CountParameters(spec);
  ValidationLimits limits;
  limits.max_parameters = parameters;
  EXPECT_EQ(ErrorOf(spec, limits), "OK");
  limits.max_parameters = parameters - 1;
  EXPECT_THAT(ErrorOf(spec, limits), StartsWith("spec: "));
  EXPECT_THAT(ErrorOf(spec, limits), HasSubstr(" parameters exceed the cap of "));
  EXPECT_THAT(ErrorOf(spec, limits), HasSubstr("(ValidationLimits.max_parameters)"));
}

TEST(ValidateArchSpecTest, ParameterCountIsPrintedWithThousandsSeparators) {
  ArchSpec spec = ValidSpec();
  spec.set_vocab_size(1 << 22);
  spec.set_d_model(8192);
  spec.set_tie_embeddings(false);
  const uint64_t parameters = CountParameters(spec);
  ASSERT_GT(parameters, 20'000'000'000ull);
  const std::string plain = std::to_string(parameters);
  std::string digits;
  for (size_t i = 0; i < plain.size(); ++i) {
    if (i > 0 && (plain.size() - i) % 3 == 0) digits += ',';
    digits += plain[i];
  }
  EXPECT_EQ(digits.size(), plain.size() + (plain.size() - 1) / 3);
  EXPECT_EQ(ErrorOf(spec), "spec: " + digits +
                               " parameters exceed the cap of 20,000,000,000 "
                               "(ValidationLimits.max_parameters)");
}

struct Rule {
  const char* name;
  std::function<void(ArchSpec&)> mutate;
  std::string expected;  // the whole message
};

// Test names show a rule by its name only.
void PrintTo(const Rule& rule, std::ostream* os) { *os << rule.name; }

class ValidateRuleTest : public testing::TestWithParam<Rule> {};

TEST_P(ValidateRuleTest, ReportsTheFieldPath) {
  ArchSpec spec = ValidSpec();
  GetParam().mutate(spec);
  EXPECT_EQ(ErrorOf(spec), GetParam().expected);
}

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateRuleTest,
    testing::Values(
        Rule{"NameNotUtf8", [](ArchSpec& s) { s.set_name("caf\xe9"); }, "name: not valid UTF-8"},
        Rule{"ZeroVocab", [](ArchSpec& s) { s.set_vocab_size(0); }, "vocab_size: must be > 0"},
        Rule{"HugeVocab", [](ArchSpec& s) { s.set_vocab_size((1u << 22) + 1); },
             "vocab_size: 4194305 exceeds the limit of 4194304 "
             "(ValidationLimits.max_vocab_size)"},
        Rule{"ZeroDModel", [](ArchSpec& s) { s.set_d_model(0); }, "d_model: must be > 0"},
        Rule{"HugeDModel", [](ArchSpec& s) { s.set_d_model(70000); },
             "d_model: 70000 exceeds the limit of 65536 (ValidationLimits.max_d_model)"},
        Rule{"ZeroEps", [](ArchSpec& s) { s.set_norm_eps(0); },
             "norm_eps: must be finite and in (0, 0.1], e.g. 1e-5 (got 0)"},
        Rule{"NegativeEps", [](ArchSpec& s) { s.set_norm_eps(-1e-5f); },
             "norm_eps: must be finite and in (0, 0.1], e.g. 1e-5 (got -1e-05)"},
        Rule{"LargeEps", [](ArchSpec& s) { s.set_norm_eps(0.2f); },
             "norm_eps: must be finite and in (0, 0.1], e.g. 1e-5 (got 0.2)"},
        Rule{"NanEps", [](ArchSpec& s) { s.set_norm_eps(kNan); },
             "norm_eps: must be finite and in (0, 0.1], e.g. 1e-5 (got nan)"},
        Rule{"InfEps", [](ArchSpec& s) { s.set_norm_eps(kInf); },
             "norm_eps: must be finite and in (0, 0.1], e.g. 1e-5 (got inf)"},
        Rule{"NoLayers", [](ArchSpec& s) { s.clear_layers(); },
             "layers: no layers (at least one is required)"},
        Rule{"TooManyLayers",
             [](ArchSpec& s) {
               while (s.layers_size() <= 1024) *s.add_layers() = s.layers(0);
             },
             "layers: 1025 layers exceed the limit of 1024 (ValidationLimits.max_layers)"},
        Rule{"NoTokenMixer", [](ArchSpec& s) { s.mutable_layers(2)->clear_token_mixer(); },
             "layers[2]: no token mixer (set attention, short_conv or recurrence)"},
        Rule{"NoChannelMixer", [](ArchSpec& s) { s.mutable_layers(3)->clear_channel_mixer(); },
             "layers[3]: no channel mixer (set swiglu, gelu_mlp or no_channel_mixer)"},
        Rule{"ZeroHeads", [](ArchSpec& s) { Att(s, 1).set_num_heads(0); },
             "layers[1].attention.num_heads: must be > 0"},
        Rule{"TooManyHeads", [](ArchSpec& s) { Att(s, 1).set_num_heads(2048); },
             "layers[1].attention.num_heads: 2048 exceeds the limit of 1024 "
             "(ValidationLimits.max_heads)"},
        Rule{"ZeroKvHeads", [](ArchSpec& s) { Att(s, 1).set_num_kv_heads(0); },
             "layers[1].attention.num_kv_heads: must be > 0"},
        Rule{"KvHeadsDoNotDivide",
             [](ArchSpec& s) {
               Att(s, 3).set_num_heads(16);
               Att(s, 3).set_num_kv_heads(3);
             },
             "layers[3].attention.num_kv_heads: 3 does not divide num_heads (16)"},
        Rule{"MoreKvHeadsThanHeads", [](ArchSpec& s) { Att(s, 1).set_num_kv_heads(8); },
             "layers[1].attention.num_kv_heads: 8 does not divide num_heads (4)"},
        Rule{"ZeroHeadDim", [](ArchSpec& s) { Att(s, 1).set_head_dim(0); },
             "layers[1].attention.head_dim: must be > 0"},
        Rule{"HugeHeadDim", [](ArchSpec& s) { Att(s, 1).set_head_dim(4096); },
             "layers[1].attention.head_dim: 4096 exceeds the limit of 1024 "
             "(ValidationLimits.max_head_dim)"},
        Rule{"OddHeadDim", [](ArchSpec& s) { Att(s, 1).set_head_dim(15); },
             "layers[1].attention.head_dim: 15 must be even (RoPE rotates half the head "
             "against the other half)"},
        Rule{"ZeroRopeTheta", [](ArchSpec& s) { Att(s, 1).set_rope_theta(0); },
             "layers[1].attention.rope_theta: must be finite and > 0, e.g. 1e6 (got 0)"},
        Rule{"NanRopeTheta", [](ArchSpec& s) { Att(s, 1).set_rope_theta(kNan); },
             "layers[1].attention.rope_theta: must be finite and > 0, e.g. 1e6 (got nan)"},
        Rule{"InfRopeTheta", [](ArchSpec& s) { Att(s, 1).set_rope_theta(kInf); },
             "layers[1].attention.rope_theta: must be finite and > 0, e.g. 1e6 (got inf)"},
        Rule{"HugeWindow", [](ArchSpec& s) { Att(s, 1).set_sliding_window((1u << 24) + 1); },
             "layers[1].attention.sliding_window: 16777217 exceeds the limit of 16777216 "
             "(ValidationLimits.max_sliding_window)"},
        Rule{"KvSourceIsSelf", [](ArchSpec& s) { Att(s, 3).set_kv_source_layer(3); },
             "layers[3].attention.kv_source_layer: 3 is not an earlier layer (a layer can "
             "only reuse the K/V of layers 0..2)"},
        Rule{"KvSourceIsLater", [](ArchSpec& s) { Att(s, 1).set_kv_source_layer(3); },
             "layers[1].attention.kv_source_layer: 3 is not an earlier layer (a layer can "
             "only reuse the K/V of layers 0..0)"},
        Rule{"KvSourceOutOfRange", [](ArchSpec& s) { Att(s, 3).set_kv_source_layer(99); },
             "layers[3].attention.kv_source_layer: 99 is not an earlier layer (a layer can "
             "only reuse the K/V of layers 0..2)"},
        Rule{"KvSourceOnFirstLayer",
             [](ArchSpec& s) {
               s.mutable_layers()->SwapElements(0, 1);
               Att(s, 0).set_kv_source_layer(0);
             },
             "layers[0].attention.kv_source_layer: 0 is not an earlier layer (layer 0 has "
             "none to reuse K/V from)"},
        Rule{"KvSourceIsConv", [](ArchSpec& s) { Att(s, 3).set_kv_source_layer(0); },
             "layers[3].attention.kv_source_layer: layer 0 is not an attention layer (it is "
             "short_conv)"},
        Rule{"KvSourceIsRecurrence", [](ArchSpec& s) { Att(s, 3).set_kv_source_layer(2); },
             "layers[3].attention.kv_source_layer: layer 2 is not an attention layer (it is "
             "recurrence)"},
        Rule{"KvSourceSharesItself",
             [](ArchSpec& s) {
               AddAttention(s)->set_kv_source_layer(1);  // layer 4 shares layer 1
               Att(s, 3).set_kv_source_layer(1);         // fine
               AddAttention(s)->set_kv_source_layer(4);  // layer 5 names a sharer
             },
             "layers[5].attention.kv_source_layer: layer 4 computes no K/V of its own (it "
             "reuses layer 1's); name layer 1 instead"},
        Rule{"KvSourceDifferentKvHeads",
             [](ArchSpec& s) {
               Att(s, 3).set_kv_source_layer(1);
               Att(s, 3).set_num_kv_heads(4);
             },
             "layers[3].attention.num_kv_heads: 4 differs from that of KV source layer 1 (2)"},
        Rule{"KvSourceDifferentHeadDim",
             [](ArchSpec& s) {
               Att(s, 3).set_kv_source_layer(1);
               Att(s, 3).set_head_dim(32);
             },
             "layers[3].attention.head_dim: 32 differs from that of KV source layer 1 (16)"},
        Rule{"KvSourceWindowedButSharerFull",
             [](ArchSpec& s) {
               Att(s, 1).set_sliding_window(128);
               Att(s, 3).set_kv_source_layer(1);
             },
             "layers[3].attention.sliding_window: 0 must be in 1..128: KV source layer 1 "
             "keeps only its last 128 positions"},
        Rule{"KvSourceWindowTooWide",
             [](ArchSpec& s) {
               Att(s, 1).set_sliding_window(128);
               Att(s, 3).set_kv_source_layer(1);
               Att(s, 3).set_sliding_window(129);
             },
             "layers[3].attention.sliding_window: 129 must be in 1..128: KV source layer 1 "
             "keeps only its last 128 positions"},
        Rule{"WeightSourceOnFirstLayer", [](ArchSpec& s) { ShareWeights(s, 0, 0); },
             "layers[0].weight_source_layer: 0 is not an earlier layer (layer 0 has none to "
             "take weights from)"},
        Rule{"WeightSourceIsSelf", [](ArchSpec& s) { ShareWeights(s, 3, 3); },
             "layers[3].weight_source_layer: 3 is not an earlier layer (a layer can only use "
             "the weights of layers 0..2)"},
        Rule{"WeightSourceIsLater", [](ArchSpec& s) { ShareWeights(s, 1, 3); },
             "layers[1].weight_source_layer: 3 is not an earlier layer (a layer can only use "
             "the weights of layers 0..0)"},
        Rule{"WeightSourceOutOfRange", [](ArchSpec& s) { ShareWeights(s, 3, 99); },
             "layers[3].weight_source_layer: 99 is not an earlier layer (a layer can only use "
             "the weights of layers 0..2)"},
        Rule{"WeightSourceSharesItself",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               AddSharer(s, 1).set_weight_source_layer(3);  // layer 4 names a sharer
             },
             "layers[4].weight_source_layer: layer 3 shares the weights of layer 1 itself; "
             "name layer 1 instead"},
        Rule{"WeightSourceOtherTokenMixer", [](ArchSpec& s) { ShareWeights(s, 3, 0); },
             "layers[3].weight_source_layer: layer 0 differs in the token mixer (this layer: "
             "attention, layer 0: short_conv)"},
        Rule{"WeightSourceOtherTokenMixerRecurrence", [](ArchSpec& s) { ShareWeights(s, 2, 1); },
             "layers[2].weight_source_layer: layer 1 differs in the token mixer (this layer: "
             "recurrence, layer 1: attention)"},
        Rule{"WeightSourceOtherNumHeads",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               Att(s, 3).set_num_heads(8);
             },
             "layers[3].weight_source_layer: layer 1 differs in attention.num_heads (this "
             "layer: 8, layer 1: 4)"},
        Rule{"WeightSourceOtherQkNorm",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               Att(s, 1).set_qk_norm(true);
             },
             "layers[3].weight_source_layer: layer 1 differs in attention.qk_norm (this "
             "layer: false, layer 1: true)"},
        Rule{"WeightSourceOtherRopeTheta",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               Att(s, 3).set_rope_theta(1e4f);
             },
             "layers[3].weight_source_layer: layer 1 differs in attention.rope_theta (this "
             "layer: 10000, layer 1: 1e+06)"},
        Rule{"WeightSourceOtherWindow",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               Att(s, 3).set_sliding_window(64);
             },
             "layers[3].weight_source_layer: layer 1 differs in attention.sliding_window (this "
             "layer: 64, layer 1: 0)"},
        Rule{"WeightSourceOtherGating",
             [](ArchSpec& s) {
               AddSharer(s, 0).mutable_short_conv()->set_gating(ShortConv::OUTPUT_ONLY);
             },
             "layers[4].weight_source_layer: layer 0 differs in short_conv.gating (this layer: "
             "OUTPUT_ONLY, layer 0: DOUBLE)"},
        Rule{"WeightSourceOtherKernelSize",
             [](ArchSpec& s) { AddSharer(s, 0).mutable_short_conv()->set_kernel_size(4); },
             "layers[4].weight_source_layer: layer 0 differs in short_conv.kernel_size (this "
             "layer: 4, layer 0: 3)"},
        Rule{"WeightSourceOtherRecurrenceHeadDim",
             [](ArchSpec& s) { AddSharer(s, 2).mutable_recurrence()->set_head_dim(8); },
             "layers[4].weight_source_layer: layer 2 differs in recurrence.head_dim (this "
             "layer: 8, layer 2: 16)"},
        Rule{"WeightSourceOtherChannelMixer",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               s.mutable_layers(3)->mutable_gelu_mlp()->set_hidden(128);
             },
             "layers[3].weight_source_layer: layer 1 differs in the channel mixer (this layer: "
             "gelu_mlp, layer 1: swiglu)"},
        Rule{"WeightSourceWithoutChannelMixer",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               s.mutable_layers(3)->mutable_no_channel_mixer();
             },
             "layers[3].weight_source_layer: layer 1 differs in the channel mixer (this layer: "
             "no_channel_mixer, layer 1: swiglu)"},
        Rule{"WeightSourceOtherSwigluHidden",
             [](ArchSpec& s) {
               ShareWeights(s, 3, 1);
               s.mutable_layers(3)->mutable_swiglu()->set_hidden(256);
             },
             "layers[3].weight_source_layer: layer 1 differs in swiglu.hidden (this layer: "
             "256, layer 1: 128)"},
        Rule{"WeightSourceOtherGeluHidden",
             [](ArchSpec& s) { AddSharer(s, 2).mutable_gelu_mlp()->set_hidden(64); },
             "layers[4].weight_source_layer: layer 2 differs in gelu_mlp.hidden (this layer: "
             "64, layer 2: 128)"},
        Rule{"WeightSourceIsAKvSharerButTheSharerIsNot",
             [](ArchSpec& s) {
               Att(s, 3).set_kv_source_layer(1);
               AddSharer(s, 3).mutable_attention()->clear_kv_source_layer();
             },
             "layers[4].weight_source_layer: layer 3 has no K/V projections (it reuses layer "
             "1's K/V), so only a layer that also sets attention.kv_source_layer can use its "
             "weights"},
        Rule{"KernelSize1",
             [](ArchSpec& s) { s.mutable_layers(0)->mutable_short_conv()->set_kernel_size(1); },
             "layers[0].short_conv.kernel_size: 1 is out of range [2, 16]"},
        Rule{"KernelSize17",
             [](ArchSpec& s) { s.mutable_layers(0)->mutable_short_conv()->set_kernel_size(17); },
             "layers[0].short_conv.kernel_size: 17 is out of range [2, 16]"},
        Rule{"GatingUnspecified",
             [](ArchSpec& s) {
               s.mutable_layers(0)->mutable_short_conv()->set_gating(ShortConv::GATING_UNSPECIFIED);
             },
             "layers[0].short_conv.gating: must be set (DOUBLE, OUTPUT_ONLY or NONE)"},
        Rule{"GatingUnknownNumber",
             [](ArchSpec& s) {
               s.mutable_layers(0)->mutable_short_conv()->set_gating(
                   static_cast<ShortConv::Gating>(7));
             },
             "layers[0].short_conv.gating: 7 is not a known gating (DOUBLE, OUTPUT_ONLY or "
             "NONE)"},
        Rule{"RecurrenceZeroHeads",
             [](ArchSpec& s) { s.mutable_layers(2)->mutable_recurrence()->set_num_heads(0); },
             "layers[2].recurrence.num_heads: must be > 0"},
        Rule{"RecurrenceZeroHeadDim",
             [](ArchSpec& s) { s.mutable_layers(2)->mutable_recurrence()->set_head_dim(0); },
             "layers[2].recurrence.head_dim: must be > 0"},
        Rule{"RecurrenceTooManyHeads",
             [](ArchSpec& s) { s.mutable_layers(2)->mutable_recurrence()->set_num_heads(5000); },
             "layers[2].recurrence.num_heads: 5000 exceeds the limit of 1024 "
             "(ValidationLimits.max_heads)"},
        Rule{"RecurrenceHugeHeadDim",
             [](ArchSpec& s) {
               s.mutable_layers(2)->mutable_recurrence()->set_num_heads(1024);
               s.mutable_layers(2)->mutable_recurrence()->set_head_dim(1026);
             },
             "layers[2].recurrence.head_dim: 1026 exceeds the limit of 1024 "
             "(ValidationLimits.max_head_dim)"},
        Rule{"SwigluZeroHidden",
             [](ArchSpec& s) { s.mutable_layers(1)->mutable_swiglu()->set_hidden(0); },
             "layers[1].swiglu.hidden: must be > 0"},
        Rule{"SwigluHugeHidden",
             [](ArchSpec& s) { s.mutable_layers(1)->mutable_swiglu()->set_hidden(1u << 21); },
             "layers[1].swiglu.hidden: 2097152 exceeds the limit of 1048576 "
             "(ValidationLimits.max_hidden)"},
        Rule{"GeluZeroHidden",
             [](ArchSpec& s) { s.mutable_layers(2)->mutable_gelu_mlp()->set_hidden(0); },
             "layers[2].gelu_mlp.hidden: must be > 0"}),
    [](const testing::TestParamInfo<Rule>& info) { return std::string(info.param.name); });

TEST(ValidateArchSpecTest, ProjectionWidthIsCappedByMaxHidden) {
  ValidationLimits limits;
  limits.max_hidden = 1024;
  ArchSpec spec = ValidSpec();
  spec.mutable_layers(0)->mutable_swiglu()->set_hidden(1024);
  spec.mutable_layers(1)->mutable_swiglu()->set_hidden(1024);
  spec.mutable_layers(2)->mutable_gelu_mlp()->set_hidden(1024);
  spec.mutable_layers(3)->mutable_swiglu()->set_hidden(1024);
  Att(spec, 1).set_num_heads(128);
  EXPECT_EQ(ErrorOf(spec, limits),
            "layers[1].attention: num_heads * head_dim = 2048 exceeds the limit of 1024 "
            "(ValidationLimits.max_hidden)");
  Att(spec, 1).set_num_heads(4);
  spec.mutable_layers(2)->mutable_recurrence()->set_num_heads(65);
  EXPECT_EQ(ErrorOf(spec, limits),
            "layers[2].recurrence: num_heads * head_dim = 1040 exceeds the limit of 1024 "
            "(ValidationLimits.max_hidden)");
}

TEST(ValidateArchSpecTest, FirstErrorWins) {
  ArchSpec spec = ValidSpec();
  spec.set_d_model(0);
  spec.mutable_layers(2)->clear_token_mixer();
  EXPECT_EQ(ErrorOf(spec), "d_model: must be > 0");
}

TEST(ValidateArchSpecTest, LimitsAreConfigurable) {
  ValidationLimits limits;
  limits.max_kernel_size = 4;
  limits.max_layers = 3;
  ArchSpec spec = ValidSpec();
  EXPECT_EQ(ErrorOf(spec, limits),
            "layers: 4 layers exceed the limit of 3 (ValidationLimits.max_layers)");
  spec.mutable_layers()->RemoveLast();
  spec.mutable_layers(0)->mutable_short_conv()->set_kernel_size(5);
  EXPECT_EQ(ErrorOf(spec, limits), "layers[0].short_conv.kernel_size: 5 is out of range [2, 4]");
}

}  // namespace
}  // namespace nas::liv
