#include "star/genome_encode.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "liv/model/lfm2_presets.h"
#include "star/genome.h"
#include "star/genome_layout.h"
#include "star/search_space.h"
#include "tests/star/test_lcg.h"

namespace nas::star {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

using testing::Lcg;

bool SameIgnoringName(const ArchSpec& a, const ArchSpec& b, std::string* diff) {
  MessageDifferencer differ;
  differ.IgnoreField(ArchSpec::descriptor()->FindFieldByName("name"));
  differ.ReportDifferencesToString(diff);
  return differ.Compare(a, b);
}

GenomeLayout LayoutOf(const SearchSpace& space) {
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  EXPECT_TRUE(layout.ok()) << layout.status();
  return *std::move(layout);
}

SearchSpace LoadShipped(const std::string& name) {
  absl::StatusOr<SearchSpace> space =
      LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/" + name);
  EXPECT_TRUE(space.ok()) << space.status();
  return space.ok() ? *space : SearchSpace();
}

// A space that can express `preset`: its shape, and value lists holding its values among
// distractors so that the indices are not all 0.
SearchSpace SpaceFor(const ArchSpec& preset) {
  SearchSpace space;
  space.set_vocab_size(preset.vocab_size());
  space.set_d_model(preset.d_model());
  space.set_depth(preset.layers_size());
  space.set_norm_eps(preset.norm_eps());
  space.set_tie_embeddings(preset.tie_embeddings());
  space.set_context_length(preset.context_length());
  space.set_max_liv_classes(3);
  space.set_kv_sharing_groups(2);
  const Attention* attention = nullptr;
  uint32_t hidden = 0;
  for (const Layer& l : preset.layers()) {
    if (l.has_attention()) attention = &l.attention();
    hidden = l.swiglu().hidden();
  }
  AttentionChoices* a = space.mutable_token_mixers()->mutable_attention();
  a->add_num_heads(4);
  a->add_num_heads(attention->num_heads());
  a->add_num_kv_heads(2);
  a->add_num_kv_heads(attention->num_kv_heads());
  a->add_head_dims(32);
  a->add_head_dims(attention->head_dim());
  a->add_qk_norm(false);
  a->add_qk_norm(true);
  a->add_rope_thetas(10000);
  a->add_rope_thetas(attention->rope_theta());
  a->add_sliding_windows(0);
  ShortConvChoices* c = space.mutable_token_mixers()->mutable_short_conv();
  c->add_kernel_sizes(4);
  c->add_kernel_sizes(3);
  c->add_gatings(ShortConv::NONE);
  c->add_gatings(ShortConv::DOUBLE);
  space.mutable_token_mixers()->mutable_recurrence()->add_num_heads(8);
  space.mutable_token_mixers()->mutable_recurrence()->add_head_dims(64);
  space.mutable_channel_mixers()->add_gelu_hidden(1024);
  space.mutable_channel_mixers()->add_swiglu_hidden(1024);
  space.mutable_channel_mixers()->add_swiglu_hidden(hidden);
  return space;
}

TEST(GenomeEncodeTest, EveryLfm2PresetRoundTrips) {
  for (const std::string& name : liv::PresetNames()) {
    absl::StatusOr<ArchSpec> preset = liv::PresetArchSpec(name);
    ASSERT_TRUE(preset.ok()) << preset.status();
    const GenomeLayout layout = LayoutOf(SpaceFor(*preset));
    absl::StatusOr<Genome> genome = Encode(*preset, layout);
    ASSERT_TRUE(genome.ok()) << name << ": " << genome.status();
    absl::StatusOr<ArchSpec> decoded = Decode(layout, *genome);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    std::string diff;
    EXPECT_TRUE(SameIgnoringName(*preset, *decoded, &diff)) << name << ": " << diff;
    // A genome produced by Encode is already repaired.
    EXPECT_EQ(*Repair(layout, *genome), *genome);
  }
}

TEST(GenomeEncodeTest, Lfm2350mRoundTripsInTheShippedSpace) {
  const GenomeLayout layout = LayoutOf(LoadShipped("lfm2-350m.textproto"));
  absl::StatusOr<ArchSpec> preset = liv::PresetArchSpec("LFM2-350M");
  ASSERT_TRUE(preset.ok());
  absl::StatusOr<Genome> genome = Encode(*preset, layout);
  ASSERT_TRUE(genome.ok()) << genome.status();
  // Two classes: the convolution (first layer) and the attention block.
  std::set<uint32_t> classes;
  for (int s = 0; s < layout.depth(); ++s) classes.insert((*genome)[layout.slot(s).liv_class]);
  EXPECT_EQ(classes, (std::set<uint32_t>{0, 1}));
  EXPECT_EQ((*genome)[layout.slot(2).liv_class], 1u);
  absl::StatusOr<ArchSpec> decoded = Decode(layout, *genome);
  ASSERT_TRUE(decoded.ok());
  std::string diff;
  EXPECT_TRUE(SameIgnoringName(*preset, *decoded, &diff)) << diff;
}

TEST(GenomeEncodeTest, ShippedReferencesRoundTrip) {
  for (const char* name : {"tiny.textproto", "lfm2-350m.textproto"}) {
    const SearchSpace space = LoadShipped(name);
    const GenomeLayout layout = LayoutOf(space);
    for (const Reference& r : space.references()) {
      absl::StatusOr<ArchSpec> spec = ResolveReference(r);
      ASSERT_TRUE(spec.ok());
      absl::StatusOr<Genome> genome = Encode(*spec, layout);
      ASSERT_TRUE(genome.ok()) << genome.status();
      std::string diff;
      EXPECT_TRUE(SameIgnoringName(*spec, *Decode(layout, *genome), &diff)) << diff;
    }
  }
}

TEST(GenomeEncodeTest, DecodedRandomGenomesEncodeBack) {
  for (const char* name : {"tiny.textproto", "lfm2-350m.textproto"}) {
    const GenomeLayout layout = LayoutOf(LoadShipped(name));
    Lcg lcg{99};
    for (int i = 0; i < 2000; ++i) {
      const Genome genome = RandomGenome(layout, [&lcg](uint32_t n) { return lcg(n); });
      absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
      ASSERT_TRUE(spec.ok());
      absl::StatusOr<Genome> encoded = Encode(*spec, layout);
      ASSERT_TRUE(encoded.ok()) << encoded.status() << "\n" << DescribeGenome(layout, genome);
      std::string diff;
      ASSERT_TRUE(SameIgnoringName(*spec, *Decode(layout, *encoded), &diff)) << diff;
    }
  }
}

TEST(GenomeEncodeTest, KvSharingRoundTrips) {
  const GenomeLayout layout = LayoutOf(LoadShipped("tiny.textproto"));
  absl::StatusOr<ArchSpec> spec = ResolveReference(layout.space().references(0));
  ASSERT_TRUE(spec.ok());
  spec->mutable_layers(5)->mutable_attention()->set_kv_source_layer(2);
  absl::StatusOr<Genome> genome = Encode(*spec, layout);
  ASSERT_TRUE(genome.ok()) << genome.status();
  EXPECT_EQ((*genome)[layout.slot(2).kv_group], 1u);
  EXPECT_EQ((*genome)[layout.slot(5).kv_group], 1u);
  std::string diff;
  EXPECT_TRUE(SameIgnoringName(*spec, *Decode(layout, *genome), &diff)) << diff;
}

// Each layer takes the weights of the first earlier layer equal to it (kv_source_layer
// aside) that owns them, unless the rules forbid it (a KV sharer lends only to KV sharers).
ArchSpec ShareEveryWeightPossible(ArchSpec spec) {
  const auto same = [](Layer a, Layer b) {
    for (Layer* l : {&a, &b}) {
      if (l->has_attention()) l->mutable_attention()->clear_kv_source_layer();
    }
    return MessageDifferencer::Equals(a, b);
  };
  const auto kv_sharer = [](const Layer& l) {
    return l.has_attention() && l.attention().has_kv_source_layer();
  };
  for (int i = 0; i < spec.layers_size(); ++i) {
    for (int j = 0; j < i; ++j) {
      const Layer& source = spec.layers(j);
      if (source.has_weight_source_layer() || !same(source, spec.layers(i))) continue;
      if (kv_sharer(source) && !kv_sharer(spec.layers(i))) continue;
      spec.mutable_layers(i)->set_weight_source_layer(j);
      break;
    }
  }
  return spec;
}

TEST(GenomeEncodeTest, WeightSharingRoundTrips) {
  const GenomeLayout layout = LayoutOf(LoadShipped("tiny.textproto"));  // 2 weight groups
  absl::StatusOr<ArchSpec> spec = ResolveReference(layout.space().references(0));
  ASSERT_TRUE(spec.ok());
  // conv, conv, attention, conv, conv, attention: layers 3 and 4 use the weights of layer 1,
  // layer 5 those of layer 2; groups in order of the sources.
  spec->mutable_layers(3)->set_weight_source_layer(1);
  spec->mutable_layers(4)->set_weight_source_layer(1);
  spec->mutable_layers(5)->set_weight_source_layer(2);
  absl::StatusOr<Genome> genome = Encode(*spec, layout);
  ASSERT_TRUE(genome.ok()) << genome.status();
  std::vector<uint32_t> groups;
  for (int s = 0; s < layout.depth(); ++s) groups.push_back((*genome)[layout.slot(s).weight_group]);
  EXPECT_EQ(groups, (std::vector<uint32_t>{0, 1, 2, 1, 1, 2}));
  EXPECT_EQ(*Repair(layout, *genome), *genome);
  std::string diff;
  EXPECT_TRUE(SameIgnoringName(*spec, *Decode(layout, *genome), &diff)) << diff;

  // Numbered in order of the sources, not of the sharers.
  spec = ResolveReference(layout.space().references(0));
  spec->mutable_layers(4)->set_weight_source_layer(3);
  spec->mutable_layers(5)->set_weight_source_layer(2);
  genome = Encode(*spec, layout);
  ASSERT_TRUE(genome.ok()) << genome.status();
  groups.clear();
  for (int s = 0; s < layout.depth(); ++s) groups.push_back((*genome)[layout.slot(s).weight_group]);
  EXPECT_EQ(groups, (std::vector<uint32_t>{0, 0, 1, 2, 2, 1}));
  EXPECT_TRUE(SameIgnoringName(*spec, *Decode(layout, *genome), &diff)) << diff;
}

TEST(GenomeEncodeTest, WeightAndKvSharingRoundTrip) {
  const GenomeLayout layout = LayoutOf(LoadShipped("tiny.textproto"));
  absl::StatusOr<ArchSpec> spec = ResolveReference(layout.space().references(1));  // 6 x attention
  ASSERT_TRUE(spec.ok());
  spec->mutable_layers(2)->mutable_attention()->set_kv_source_layer(0);
  spec->mutable_layers(4)->mutable_attention()->set_kv_source_layer(0);
  spec->mutable_layers(5)->mutable_attention()->set_kv_source_layer(0);
  spec->mutable_layers(1)->set_weight_source_layer(0);  // a KV owner lends to a KV owner
  spec->mutable_layers(3)->set_weight_source_layer(0);
  spec->mutable_layers(4)->set_weight_source_layer(2);  // a KV sharer lends to KV sharers
  spec->mutable_layers(5)->set_weight_source_layer(2);
  absl::StatusOr<Genome> genome = Encode(*spec, layout);
  ASSERT_TRUE(genome.ok()) << genome.status();
  std::vector<uint32_t> kv, weights;
  for (int s = 0; s < layout.depth(); ++s) {
    kv.push_back((*genome)[layout.slot(s).kv_group]);
    weights.push_back((*genome)[layout.slot(s).weight_group]);
  }
  EXPECT_EQ(kv, (std::vector<uint32_t>{1, 0, 1, 0, 1, 1}));
  EXPECT_EQ(weights, (std::vector<uint32_t>{1, 1, 2, 1, 2, 2}));
  EXPECT_EQ(*Repair(layout, *genome), *genome);
  std::string diff;
  EXPECT_TRUE(SameIgnoringName(*spec, *Decode(layout, *genome), &diff)) << diff;
}

TEST(GenomeEncodeTest, WeightSharedLfm2PresetsRoundTrip) {
  for (const std::string& name : liv::PresetNames()) {
    absl::StatusOr<ArchSpec> preset = liv::PresetArchSpec(name);
    ASSERT_TRUE(preset.ok()) << preset.status();
    SearchSpace space = SpaceFor(*preset);
    space.set_weight_sharing_groups(3);
    const GenomeLayout layout = LayoutOf(space);
    // Every convolution uses the first one's weights, every attention block the first
    // attention block's; with layer 5 reusing layer 2's K/V as well.
    ArchSpec spec = *preset;
    spec.mutable_layers(5)->mutable_attention()->set_kv_source_layer(2);
    for (const ArchSpec& shared :
         {ShareEveryWeightPossible(*preset), ShareEveryWeightPossible(spec)}) {
      int sharers = 0;
      for (const Layer& l : shared.layers()) sharers += l.has_weight_source_layer();
      EXPECT_GT(sharers, 10) << name;
      absl::StatusOr<Genome> genome = Encode(shared, layout);
      ASSERT_TRUE(genome.ok()) << name << ": " << genome.status();
      absl::StatusOr<ArchSpec> decoded = Decode(layout, *genome);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      std::string diff;
      EXPECT_TRUE(SameIgnoringName(shared, *decoded, &diff)) << name << ": " << diff;
      EXPECT_EQ(*Repair(layout, *genome), *genome);
    }
  }
}

TEST(GenomeEncodeTest, WeightSharedLfm2350mRoundTripsInTheShippedSpace) {
  const GenomeLayout layout = LayoutOf(LoadShipped("lfm2-350m.textproto"));
  absl::StatusOr<ArchSpec> preset = liv::PresetArchSpec("LFM2-350M");
  ASSERT_TRUE(preset.ok());
  const ArchSpec shared = ShareEveryWeightPossible(*preset);  // 2 groups of 4
  absl::StatusOr<Genome> genome = Encode(shared, layout);
  ASSERT_TRUE(genome.ok()) << genome.status();
  std::string diff;
  EXPECT_TRUE(SameIgnoringName(shared, *Decode(layout, *genome), &diff)) << diff;
}

class EncodeErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<ArchSpec> preset = liv::PresetArchSpec("LFM2-350M");
    ASSERT_TRUE(preset.ok());
    spec_ = *preset;
  }
  std::string Error() {
    absl::StatusOr<Genome> genome = Encode(spec_, layout_);
    EXPECT_FALSE(genome.ok());
    return std::string(genome.status().message());
  }
  GenomeLayout layout_ = LayoutOf(LoadShipped("lfm2-350m.textproto"));
  ArchSpec spec_;
};

TEST_F(EncodeErrorTest, ShapeMismatch) {
  spec_ = *liv::PresetArchSpec("LFM2-700M");
  EXPECT_EQ(Error(), "d_model: 1536 differs from the space's (1024)");
  spec_ = *liv::PresetArchSpec("LFM2-350M");
  spec_.mutable_layers()->RemoveLast();
  EXPECT_EQ(Error(), "layers: 15 layers; the space's depth is 16");
}

TEST_F(EncodeErrorTest, ValueNotAChoice) {
  spec_.mutable_layers(2)->mutable_attention()->set_num_heads(24);
  EXPECT_EQ(Error(),
            "layers[2].attention.num_heads: 24 is not among the choices "
            "(token_mixers.attention.num_heads: 8, 16, 32)");
  spec_ = *liv::PresetArchSpec("LFM2-350M");
  spec_.mutable_layers(0)->mutable_swiglu()->set_hidden(4000);
  EXPECT_THAT(Error(), HasSubstr("layers[0].swiglu.hidden: 4000 is not among the choices"));
}

TEST_F(EncodeErrorTest, KindNotAllowed) {
  spec_.mutable_layers(1)->mutable_no_channel_mixer();
  EXPECT_EQ(Error(),
            "layers[1].no_channel_mixer: the space allows no layer without a channel "
            "mixer (channel_mixers.allow_none is false)");
}

TEST_F(EncodeErrorTest, TooManyClasses) {
  for (int i : {0, 1, 3, 4}) {
    spec_.mutable_layers(i)->mutable_short_conv()->set_kernel_size(i == 0 ? 4 : 8);
    spec_.mutable_layers(i)->mutable_short_conv()->set_gating(i < 3 ? ShortConv::NONE
                                                                    : ShortConv::OUTPUT_ONLY);
  }
  EXPECT_EQ(Error(),
            "layers[6]: a distinct layer configuration beyond the space's "
            "max_liv_classes (4)");
}

TEST_F(EncodeErrorTest, TooManyKvGroups) {
  spec_.mutable_layers(5)->mutable_attention()->set_kv_source_layer(2);
  spec_.mutable_layers(10)->mutable_attention()->set_kv_source_layer(8);
  spec_.mutable_layers(12)->mutable_attention()->set_kv_source_layer(2);
  ASSERT_TRUE(Encode(spec_, layout_).ok()) << Encode(spec_, layout_).status();  // 2 groups
  SearchSpace space = layout_.space();
  space.set_kv_sharing_groups(1);
  layout_ = LayoutOf(space);
  EXPECT_EQ(Error(),
            "layers[10].attention.kv_source_layer: needs KV-sharing group 2 but the "
            "space has kv_sharing_groups: 1");
  space.set_kv_sharing_groups(0);
  layout_ = LayoutOf(space);
  EXPECT_EQ(Error(),
            "layers[5].attention.kv_source_layer: KV sharing is disabled in this space "
            "(kv_sharing_groups: 0)");
}

TEST_F(EncodeErrorTest, TooManyWeightGroups) {
  // LFM2-350M: attention at layers 2, 5, 8, 10, 12 and 14, convolutions elsewhere, all
  // convolutions alike and all attention blocks alike.
  spec_.mutable_layers(15)->set_weight_source_layer(0);
  spec_.mutable_layers(5)->set_weight_source_layer(2);
  spec_.mutable_layers(4)->set_weight_source_layer(3);
  spec_.mutable_layers(7)->set_weight_source_layer(6);
  ASSERT_TRUE(Encode(spec_, layout_).ok()) << Encode(spec_, layout_).status();  // 4 groups
  spec_.mutable_layers(10)->set_weight_source_layer(8);  // group 5 (source 8 comes last)
  EXPECT_EQ(Error(),
            "layers[10].weight_source_layer: needs weight-sharing group 5 but the space has "
            "weight_sharing_groups: 4");
  SearchSpace space = layout_.space();
  space.set_weight_sharing_groups(2);
  layout_ = LayoutOf(space);
  EXPECT_EQ(Error(),  // the first sharer of a source beyond group 2 (source 3, group 3)
            "layers[4].weight_source_layer: needs weight-sharing group 3 but the space has "
            "weight_sharing_groups: 2");
  space.set_weight_sharing_groups(0);
  layout_ = LayoutOf(space);
  EXPECT_EQ(Error(),
            "layers[4].weight_source_layer: weight sharing is disabled in this space "
            "(weight_sharing_groups: 0)");
}

TEST_F(EncodeErrorTest, InvalidWeightSharingIsRejected) {
  spec_.mutable_layers(5)->set_weight_source_layer(7);
  EXPECT_THAT(Error(), HasSubstr("layers[5].weight_source_layer: 7 is not an earlier layer"));
}

TEST_F(EncodeErrorTest, InvalidSpecGivesTheValidationError) {
  spec_.mutable_layers(2)->mutable_attention()->set_num_kv_heads(3);
  EXPECT_EQ(Error(), "layers[2].attention.num_kv_heads: 3 does not divide num_heads (16)");
}

}  // namespace
}  // namespace nas::star
