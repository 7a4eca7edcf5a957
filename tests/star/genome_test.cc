#include "star/genome.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "liv/model/arch_spec_validate.h"
#include "star/genome_layout.h"
#include "star/search_space.h"
#include "tests/star/test_lcg.h"

namespace nas::star {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

using testing::Lcg;

UniformIndex Uniform(Lcg& lcg) {
  return [&lcg](uint32_t n) { return lcg(n); };
}

SearchSpace LoadShipped(const std::string& name) {
  absl::StatusOr<SearchSpace> space =
      LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/" + name);
  EXPECT_TRUE(space.ok()) << space.status();
  return space.ok() ? *space : SearchSpace();
}

GenomeLayout LayoutOf(const SearchSpace& space) {
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  EXPECT_TRUE(layout.ok()) << layout.status();
  return *std::move(layout);
}

// A two-slot attention-only space for the repair rules: kv heads [1, 2, 4], heads [4, 6],
// windows [0, 16, 32], two KV-sharing groups.
SearchSpace SharingSpace() {
  SearchSpace space;
  space.set_name("sharing");
  space.set_vocab_size(32);
  space.set_d_model(16);
  space.set_depth(3);
  space.set_norm_eps(1e-5f);
  space.set_max_liv_classes(2);
  space.set_kv_sharing_groups(2);
  AttentionChoices* a = space.mutable_token_mixers()->mutable_attention();
  for (uint32_t v : {4, 6}) a->add_num_heads(v);
  for (uint32_t v : {1, 2, 4}) a->add_num_kv_heads(v);
  a->add_head_dims(8);
  a->add_qk_norm(false);
  a->add_rope_thetas(10000);
  for (uint32_t v : {0, 16, 32}) a->add_sliding_windows(v);
  ShortConvChoices* c = space.mutable_token_mixers()->mutable_short_conv();
  c->add_kernel_sizes(3);
  c->add_gatings(ShortConv::DOUBLE);
  space.mutable_channel_mixers()->set_allow_none(true);
  return space;
}

// SharingSpace with four slots, two weight-sharing groups and a choice of channel mixer
// (SwiGLU 32 or 64, or none).
SearchSpace WeightSpace() {
  SearchSpace space = SharingSpace();
  space.set_name("weights");
  space.set_depth(4);
  space.set_weight_sharing_groups(2);
  space.mutable_channel_mixers()->add_swiglu_hidden(32);
  space.mutable_channel_mixers()->add_swiglu_hidden(64);
  return space;
}

size_t Gene(const GenomeLayout& layout, const std::string& name) {
  std::optional<size_t> at = layout.Find(name);
  EXPECT_TRUE(at.has_value()) << name;
  return at.value_or(0);
}

bool IsKvSharer(const Layer& layer) {
  return layer.has_attention() && layer.attention().has_kv_source_layer();
}

// The weight_source_layer rules of proto/arch_spec.proto, checked here on their own so that
// the tests mean something whatever liv::ValidateArchSpec checks: "" when every weight
// sharer of `spec` obeys them, else what is wrong.
std::string WeightSharingViolation(const ArchSpec& spec) {
  for (int i = 0; i < spec.layers_size(); ++i) {
    const Layer& layer = spec.layers(i);
    if (!layer.has_weight_source_layer()) continue;
    const uint32_t src = layer.weight_source_layer();
    const std::string at = absl::StrCat("layer ", i, " (weight source ", src, "): ");
    if (src >= static_cast<uint32_t>(i)) return at + "not an earlier layer";
    const Layer& source = spec.layers(static_cast<int>(src));
    if (source.has_weight_source_layer()) return at + "the source does not own its weights";
    Layer a = layer, b = source;
    for (Layer* l : {&a, &b}) {
      l->clear_weight_source_layer();
      if (l->has_attention()) l->mutable_attention()->clear_kv_source_layer();
    }
    if (!MessageDifferencer::Equals(a, b)) return at + "the layers differ";
    if (IsKvSharer(source) && !IsKvSharer(layer)) {
      return at + "the source is a KV sharer but the layer is not";
    }
  }
  return "";
}

// The property: 10,000 random genomes of each shipped space decode to valid specs.
class ShippedSpaceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedSpaceTest, TenThousandRandomGenomesDecodeToValidSpecs) {
  const GenomeLayout layout = LayoutOf(LoadShipped(GetParam()));
  Lcg lcg{12345};
  std::set<int> families;
  int sharing_layers = 0, windowed_layers = 0;
  int weight_sharers = 0, weight_and_kv_sharers = 0, weight_sharers_of_kv_sharers = 0;
  for (int i = 0; i < 10000; ++i) {
    const Genome genome = RandomGenome(layout, Uniform(lcg));
    ASSERT_TRUE(CheckGenome(layout, genome).ok());
    absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
    ASSERT_TRUE(spec.ok()) << spec.status();
    const absl::Status valid = liv::ValidateArchSpec(*spec);
    ASSERT_TRUE(valid.ok()) << valid << "\n" << DescribeGenome(layout, genome);
    ASSERT_EQ(WeightSharingViolation(*spec), "") << DescribeGenome(layout, genome);
    ASSERT_EQ(spec->layers_size(), static_cast<int>(layout.space().depth()));
    for (const Layer& l : spec->layers()) {
      families.insert(l.token_mixer_case());
      sharing_layers += IsKvSharer(l);
      windowed_layers += l.has_attention() && l.attention().sliding_window() > 0;
      weight_sharers += l.has_weight_source_layer();
      weight_and_kv_sharers += l.has_weight_source_layer() && IsKvSharer(l);
      weight_sharers_of_kv_sharers +=
          l.has_weight_source_layer() && IsKvSharer(spec->layers(l.weight_source_layer()));
    }
  }
  EXPECT_EQ(families.size(), 3u);  // every family is reachable
  EXPECT_GT(sharing_layers, 0);
  EXPECT_GT(windowed_layers, 0);
  // Weight sharing is reached, also together with KV sharing and from a KV sharer.
  EXPECT_GT(weight_sharers, 0);
  EXPECT_GT(weight_and_kv_sharers, 0);
  EXPECT_GT(weight_sharers_of_kv_sharers, 0);
}

TEST_P(ShippedSpaceTest, RepairIsIdempotentAndDecodeRepairs) {
  const GenomeLayout layout = LayoutOf(LoadShipped(GetParam()));
  Lcg lcg{777};
  for (int i = 0; i < 2000; ++i) {
    // Unrepaired: every gene uniform, as a mutation could leave it.
    Genome raw(layout.size());
    for (size_t g = 0; g < raw.size(); ++g) raw[g] = lcg(layout.gene(g).cardinality);
    absl::StatusOr<Genome> repaired = Repair(layout, raw);
    ASSERT_TRUE(repaired.ok()) << repaired.status();
    absl::StatusOr<Genome> twice = Repair(layout, *repaired);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(*twice, *repaired);
    absl::StatusOr<ArchSpec> from_raw = Decode(layout, raw);
    absl::StatusOr<ArchSpec> from_repaired = Decode(layout, *repaired);
    ASSERT_TRUE(from_raw.ok() && from_repaired.ok());
    EXPECT_TRUE(MessageDifferencer::Equals(*from_raw, *from_repaired));
    EXPECT_TRUE(liv::ValidateArchSpec(*from_raw).ok());
    EXPECT_EQ(WeightSharingViolation(*from_raw), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedSpaceTest,
                         ::testing::Values("tiny.textproto", "lfm2-350m.textproto"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param) == "tiny.textproto" ? "Tiny" : "Lfm2";
                         });

// Every gene 0: every slot on class 0, an attention class with the first choices.
Genome Zeros(const GenomeLayout& layout) { return Genome(layout.size(), 0); }

TEST(GenomeTest, KvHeadsMoveToTheNearestDividingChoice) {
  const GenomeLayout layout = LayoutOf(SharingSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "class[0].attention.num_heads")] = 1;     // 6 heads
  genome[Gene(layout, "class[0].attention.num_kv_heads")] = 2;  // 4 does not divide 6
  absl::StatusOr<Genome> repaired = Repair(layout, genome);
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ((*repaired)[Gene(layout, "class[0].attention.num_kv_heads")], 1u);  // 2 divides 6
  absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->layers(0).attention().num_heads(), 6u);
  EXPECT_EQ(spec->layers(0).attention().num_kv_heads(), 2u);
}

TEST(GenomeTest, SlotsOfOneGroupShareTheFirstSlotsKv) {
  const GenomeLayout layout = LayoutOf(SharingSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "backbone[0].kv_group")] = 2;
  genome[Gene(layout, "backbone[2].kv_group")] = 2;
  absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(spec->layers(0).attention().has_kv_source_layer());
  EXPECT_FALSE(spec->layers(1).attention().has_kv_source_layer());
  ASSERT_TRUE(spec->layers(2).attention().has_kv_source_layer());
  EXPECT_EQ(spec->layers(2).attention().kv_source_layer(), 0u);
  EXPECT_TRUE(liv::ValidateArchSpec(*spec).ok()) << liv::ValidateArchSpec(*spec);
}

TEST(GenomeTest, NonAttentionSlotsLeaveTheirGroup) {
  const GenomeLayout layout = LayoutOf(SharingSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "class[1].family")] = 1;  // short_conv
  genome[Gene(layout, "backbone[0].class")] = 1;
  genome[Gene(layout, "backbone[0].kv_group")] = 1;
  genome[Gene(layout, "backbone[1].kv_group")] = 1;
  absl::StatusOr<Genome> repaired = Repair(layout, genome);
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ((*repaired)[Gene(layout, "backbone[0].kv_group")], 0u);
  EXPECT_EQ((*repaired)[Gene(layout, "backbone[1].kv_group")], 1u);  // now opens group 1
  absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->layers(0).has_short_conv());
  EXPECT_FALSE(spec->layers(1).attention().has_kv_source_layer());
}

TEST(GenomeTest, IncompatibleSharingIsDropped) {
  const GenomeLayout layout = LayoutOf(SharingSpace());
  struct Case {
    const char* gene;  // a gene of class 1 that makes it incompatible with class 0's cache
    uint32_t class0_window, class1_value;
  };
  for (const Case& c : {Case{"class[1].attention.num_kv_heads", 0, 1},       // 2 vs 1 kv heads
                        Case{"class[1].attention.sliding_window", 1, 0},     // full over window 16
                        Case{"class[1].attention.sliding_window", 1, 2}}) {  // 32 over 16
    Genome genome = Zeros(layout);
    genome[Gene(layout, "class[0].attention.sliding_window")] = c.class0_window;
    genome[Gene(layout, c.gene)] = c.class1_value;
    genome[Gene(layout, "backbone[1].class")] = 1;
    genome[Gene(layout, "backbone[0].kv_group")] = 1;
    genome[Gene(layout, "backbone[1].kv_group")] = 1;
    absl::StatusOr<Genome> repaired = Repair(layout, genome);
    ASSERT_TRUE(repaired.ok());
    EXPECT_EQ((*repaired)[Gene(layout, "backbone[1].kv_group")], 0u) << c.gene;
    absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
    ASSERT_TRUE(spec.ok());
    EXPECT_FALSE(spec->layers(1).attention().has_kv_source_layer()) << c.gene;
    EXPECT_TRUE(liv::ValidateArchSpec(*spec).ok()) << liv::ValidateArchSpec(*spec);
  }
  // A narrower window over a windowed source is fine.
  Genome genome = Zeros(layout);
  genome[Gene(layout, "class[0].attention.sliding_window")] = 2;  // 32
  genome[Gene(layout, "class[1].attention.sliding_window")] = 1;  // 16
  genome[Gene(layout, "backbone[1].class")] = 1;
  genome[Gene(layout, "backbone[0].kv_group")] = 1;
  genome[Gene(layout, "backbone[1].kv_group")] = 1;
  absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->layers(1).attention().kv_source_layer(), 0u);
  EXPECT_EQ(spec->layers(1).attention().sliding_window(), 16u);
}

TEST(GenomeTest, OutOfRangeAndWrongLength) {
  const GenomeLayout layout = LayoutOf(SharingSpace());
  Genome genome = Zeros(layout);
  const size_t heads = Gene(layout, "class[1].attention.num_heads");
  genome[heads] = 5;
  EXPECT_EQ(CheckGenome(layout, genome).message(),
            absl::StrCat("gene ", heads, " (class[1].attention.num_heads): 5 is out of [0, 2)"));
  EXPECT_FALSE(Decode(layout, genome).ok());
  absl::StatusOr<Genome> repaired = Repair(layout, genome);
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ((*repaired)[heads], 1u);  // clamped
  genome.pop_back();
  EXPECT_THAT(std::string(Repair(layout, genome).status().message()),
              HasSubstr("genes; the layout"));
  EXPECT_THAT(std::string(Decode(layout, genome).status().message()),
              HasSubstr("genes; the layout"));
}

TEST(GenomeTest, RandomGenomeClampsAMisbehavingGenerator) {
  const GenomeLayout layout = LayoutOf(SharingSpace());
  const Genome genome = RandomGenome(layout, [](uint32_t n) { return n + 7; });
  EXPECT_TRUE(CheckGenome(layout, genome).ok());
}

TEST(GenomeTest, DescribeGenomeShowsValues) {
  const GenomeLayout layout = LayoutOf(LoadShipped("tiny.textproto"));
  Genome genome(layout.size(), 0);
  genome[Gene(layout, "class[0].attention.num_heads")] = 1;
  const std::string text = DescribeGenome(layout, genome);
  EXPECT_THAT(text,
              HasSubstr("backbone[0].class=0 backbone[0].kv_group=0 backbone[0].weight_group=0"));
  EXPECT_THAT(text, HasSubstr("class[0].family=attention"));
  EXPECT_THAT(text, HasSubstr("class[0].attention.num_heads=4"));
  EXPECT_THAT(text, HasSubstr("class[0].short_conv.gating=DOUBLE"));
  EXPECT_THAT(text, HasSubstr("class[0].channel_mixer=swiglu"));
}

// --- Weight-sharing groups (repair rules 5 and 6). ---

// Decodes `genome`, expecting a valid spec (liv's rules and WeightSharingViolation's) that
// its repaired genome decodes to as well.
ArchSpec DecodeValid(const GenomeLayout& layout, const Genome& genome) {
  absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
  EXPECT_TRUE(spec.ok()) << spec.status();
  if (!spec.ok()) return ArchSpec();
  const absl::Status valid = liv::ValidateArchSpec(*spec);
  EXPECT_TRUE(valid.ok()) << valid << "\n" << DescribeGenome(layout, genome);
  EXPECT_EQ(WeightSharingViolation(*spec), "") << DescribeGenome(layout, genome);
  absl::StatusOr<Genome> repaired = Repair(layout, genome);
  EXPECT_TRUE(repaired.ok());
  if (repaired.ok()) {
    absl::StatusOr<ArchSpec> again = Decode(layout, *repaired);
    EXPECT_TRUE(again.ok() && MessageDifferencer::Equals(*spec, *again));
  }
  return *spec;
}

// The weight_source_layer of every layer, -1 for none.
std::vector<int> WeightSources(const ArchSpec& spec) {
  std::vector<int> out;
  for (const Layer& l : spec.layers()) {
    out.push_back(l.has_weight_source_layer() ? static_cast<int>(l.weight_source_layer()) : -1);
  }
  return out;
}

TEST(GenomeWeightSharingTest, SlotsOfOneGroupUseTheFirstSlotsWeights) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Genome genome = Zeros(layout);  // four identical attention slots
  genome[Gene(layout, "backbone[0].weight_group")] = 1;
  genome[Gene(layout, "backbone[1].weight_group")] = 2;
  genome[Gene(layout, "backbone[2].weight_group")] = 1;
  genome[Gene(layout, "backbone[3].weight_group")] = 2;
  EXPECT_EQ(*Repair(layout, genome), genome);  // nothing to repair
  const ArchSpec spec = DecodeValid(layout, genome);
  EXPECT_EQ(WeightSources(spec), (std::vector<int>{-1, -1, 0, 1}));
  // The owners are plain layers; the sharers are the owners' layers plus the source.
  Layer expected = spec.layers(0);
  expected.set_weight_source_layer(0);
  EXPECT_TRUE(MessageDifferencer::Equals(spec.layers(2), expected));
  EXPECT_THAT(DescribeGenome(layout, genome), HasSubstr("backbone[2].weight_group=1"));

  // A group of one slot shares nothing; group numbers need not start at 1.
  genome = Zeros(layout);
  genome[Gene(layout, "backbone[1].weight_group")] = 2;
  genome[Gene(layout, "backbone[3].weight_group")] = 2;
  EXPECT_EQ(WeightSources(DecodeValid(layout, genome)), (std::vector<int>{-1, -1, -1, 1}));
  genome[Gene(layout, "backbone[3].weight_group")] = 1;
  EXPECT_EQ(WeightSources(DecodeValid(layout, genome)), (std::vector<int>{-1, -1, -1, -1}));
}

TEST(GenomeWeightSharingTest, OtherFamiliesShareWeightsToo) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "class[1].family")] = 1;  // short_conv
  genome[Gene(layout, "backbone[1].class")] = 1;
  genome[Gene(layout, "backbone[3].class")] = 1;
  genome[Gene(layout, "backbone[1].weight_group")] = 2;
  genome[Gene(layout, "backbone[3].weight_group")] = 2;
  EXPECT_EQ(*Repair(layout, genome), genome);
  const ArchSpec spec = DecodeValid(layout, genome);
  ASSERT_TRUE(spec.layers(3).has_short_conv());
  EXPECT_EQ(WeightSources(spec), (std::vector<int>{-1, -1, -1, 1}));
}

// Rule 5: a slot whose layer differs from its group owner's leaves the group.
TEST(GenomeWeightSharingTest, ASlotUnlikeItsOwnerLeavesTheGroup) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  struct Case {
    const char* gene;  // a gene of class 1 that makes its layer differ from class 0's
    uint32_t value;
  };
  for (const Case& c : {Case{"class[1].attention.num_heads", 1},       // 6 heads, not 4
                        Case{"class[1].attention.sliding_window", 1},  // a window
                        Case{"class[1].family", 1},                    // short_conv
                        Case{"class[1].swiglu.hidden", 1},             // SwiGLU 64, not 32
                        Case{"class[1].channel_mixer", 1}}) {          // no channel mixer
    Genome genome = Zeros(layout);
    genome[Gene(layout, c.gene)] = c.value;
    genome[Gene(layout, "backbone[1].class")] = 1;
    for (int s = 0; s < 3; ++s) {
      genome[Gene(layout, absl::StrCat("backbone[", s, "].weight_group"))] = 1;
    }
    absl::StatusOr<Genome> repaired = Repair(layout, genome);
    ASSERT_TRUE(repaired.ok());
    Genome expected = genome;
    expected[Gene(layout, "backbone[1].weight_group")] = 0;
    EXPECT_EQ(*repaired, expected) << c.gene;
    // Slot 2 is like its owner, slot 0, and keeps sharing.
    EXPECT_EQ(WeightSources(DecodeValid(layout, genome)), (std::vector<int>{-1, -1, 0, -1}))
        << c.gene;
  }
}

TEST(GenomeWeightSharingTest, SlotsOfTwoClassesWithTheSameLayerShare) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "class[0].channel_mixer")] = 1;  // none
  genome[Gene(layout, "class[1].channel_mixer")] = 1;  // none
  genome[Gene(layout, "class[1].swiglu.hidden")] = 1;  // inactive: the layers are equal
  genome[Gene(layout, "backbone[1].class")] = 1;
  genome[Gene(layout, "backbone[0].weight_group")] = 1;
  genome[Gene(layout, "backbone[1].weight_group")] = 1;
  EXPECT_EQ(*Repair(layout, genome), genome);
  EXPECT_EQ(WeightSources(DecodeValid(layout, genome)), (std::vector<int>{-1, 0, -1, -1}));
}

TEST(GenomeWeightSharingTest, AKvSharerMayUseTheWeightsOfAKvOwner) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "backbone[0].kv_group")] = 1;
  genome[Gene(layout, "backbone[1].kv_group")] = 1;
  genome[Gene(layout, "backbone[0].weight_group")] = 1;
  genome[Gene(layout, "backbone[1].weight_group")] = 1;
  EXPECT_EQ(*Repair(layout, genome), genome);
  const ArchSpec spec = DecodeValid(layout, genome);
  EXPECT_EQ(spec.layers(1).attention().kv_source_layer(), 0u);
  EXPECT_EQ(WeightSources(spec), (std::vector<int>{-1, 0, -1, -1}));
}

// Rule 6: a KV sharer (no K/V weights) lends its weights to KV sharers only.
TEST(GenomeWeightSharingTest, AKvSharersWeightsGoToKvSharersOnly) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "backbone[0].kv_group")] = 1;      // slot 0 computes K/V
  genome[Gene(layout, "backbone[1].kv_group")] = 1;      // slot 1 reuses slot 0's
  genome[Gene(layout, "backbone[1].weight_group")] = 2;  // and owns weight group 2
  genome[Gene(layout, "backbone[2].weight_group")] = 2;  // slot 2 computes its K/V: leaves
  genome[Gene(layout, "backbone[3].kv_group")] = 1;      // slot 3 reuses slot 0's K/V: stays
  genome[Gene(layout, "backbone[3].weight_group")] = 2;
  absl::StatusOr<Genome> repaired = Repair(layout, genome);
  ASSERT_TRUE(repaired.ok());
  Genome expected = genome;
  expected[Gene(layout, "backbone[2].weight_group")] = 0;
  EXPECT_EQ(*repaired, expected);
  const ArchSpec spec = DecodeValid(layout, genome);
  EXPECT_EQ(WeightSources(spec), (std::vector<int>{-1, -1, -1, 1}));
  EXPECT_FALSE(spec.layers(2).attention().has_kv_source_layer());
  EXPECT_EQ(spec.layers(3).attention().kv_source_layer(), 0u);
}

// Rules 5-6 see the KV groups as rules 3-4 left them.
TEST(GenomeWeightSharingTest, KvDecisionsComeFirst) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Genome genome = Zeros(layout);
  genome[Gene(layout, "class[0].attention.sliding_window")] = 1;  // 16
  genome[Gene(layout, "class[1].attention.sliding_window")] = 2;  // 32: cannot read a 16 cache
  genome[Gene(layout, "backbone[1].class")] = 1;
  genome[Gene(layout, "backbone[2].class")] = 1;
  genome[Gene(layout, "backbone[0].kv_group")] = 1;
  genome[Gene(layout, "backbone[1].kv_group")] = 1;  // dropped by rule 4 ...
  genome[Gene(layout, "backbone[1].weight_group")] = 1;
  genome[Gene(layout, "backbone[2].weight_group")] = 1;  // ... so slot 2 may use its weights
  absl::StatusOr<Genome> repaired = Repair(layout, genome);
  ASSERT_TRUE(repaired.ok());
  Genome expected = genome;
  expected[Gene(layout, "backbone[1].kv_group")] = 0;
  EXPECT_EQ(*repaired, expected);
  const ArchSpec spec = DecodeValid(layout, genome);
  EXPECT_FALSE(spec.layers(1).attention().has_kv_source_layer());
  EXPECT_EQ(WeightSources(spec), (std::vector<int>{-1, -1, 1, -1}));

  // And a slot that rule 4 takes out of its KV group is no KV sharer: slot 3 would reuse the
  // K/V of slot 1 (window 16) with a full window, so it computes its own and leaves weight
  // group 1, whose owner, slot 2, reuses slot 0's K/V.
  genome = Zeros(layout);
  genome[Gene(layout, "class[1].attention.sliding_window")] = 1;  // 16
  genome[Gene(layout, "backbone[1].class")] = 1;
  genome[Gene(layout, "backbone[0].kv_group")] = 1;
  genome[Gene(layout, "backbone[1].kv_group")] = 2;
  genome[Gene(layout, "backbone[2].kv_group")] = 1;
  genome[Gene(layout, "backbone[3].kv_group")] = 2;  // dropped by rule 4 ...
  genome[Gene(layout, "backbone[2].weight_group")] = 1;
  genome[Gene(layout, "backbone[3].weight_group")] = 1;  // ... and so by rule 6
  repaired = Repair(layout, genome);
  ASSERT_TRUE(repaired.ok());
  expected = genome;
  expected[Gene(layout, "backbone[3].kv_group")] = 0;
  expected[Gene(layout, "backbone[3].weight_group")] = 0;
  EXPECT_EQ(*repaired, expected);
  EXPECT_EQ(WeightSources(DecodeValid(layout, genome)), (std::vector<int>{-1, -1, -1, -1}));
}

TEST(GenomeWeightSharingTest, RandomGenomesOfASharingSpaceObeyTheRules) {
  const GenomeLayout layout = LayoutOf(WeightSpace());
  Lcg lcg{2024};
  int weight_sharers = 0, of_kv_sharers = 0;
  for (int i = 0; i < 5000; ++i) {
    Genome raw(layout.size());
    for (size_t g = 0; g < raw.size(); ++g) raw[g] = lcg(layout.gene(g).cardinality);
    absl::StatusOr<Genome> repaired = Repair(layout, raw);
    ASSERT_TRUE(repaired.ok());
    ASSERT_EQ(*Repair(layout, *repaired), *repaired);
    absl::StatusOr<ArchSpec> spec = Decode(layout, raw);
    ASSERT_TRUE(spec.ok());
    const absl::Status valid = liv::ValidateArchSpec(*spec);
    ASSERT_TRUE(valid.ok()) << valid << "\n" << DescribeGenome(layout, raw);
    ASSERT_EQ(WeightSharingViolation(*spec), "") << DescribeGenome(layout, raw);
    ASSERT_TRUE(MessageDifferencer::Equals(*spec, *Decode(layout, *repaired)));
    // The repaired genes say literally what was built: a slot in a weight group that is
    // not its group's first slot has a weight source, namely that first slot.
    for (int s = 0; s < layout.depth(); ++s) {
      const uint32_t group = (*repaired)[layout.slot(s).weight_group];
      int first = -1;
      for (int o = 0; o < s && group > 0 && first < 0; ++o) {
        if ((*repaired)[layout.slot(o).weight_group] == group) first = o;
      }
      const Layer& l = spec->layers(s);
      ASSERT_EQ(l.has_weight_source_layer() ? static_cast<int>(l.weight_source_layer()) : -1,
                first);
      weight_sharers += first >= 0;
      of_kv_sharers += first >= 0 && IsKvSharer(spec->layers(first));
    }
  }
  EXPECT_GT(weight_sharers, 500);
  EXPECT_GT(of_kv_sharers, 10);
}

}  // namespace
}  // namespace nas::star
