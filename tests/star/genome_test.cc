#include "star/genome.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

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

size_t Gene(const GenomeLayout& layout, const std::string& name) {
  std::optional<size_t> at = layout.Find(name);
  EXPECT_TRUE(at.has_value()) << name;
  return at.value_or(0);
}

// The property: 10,000 random genomes of each shipped space decode to valid specs.
class ShippedSpaceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedSpaceTest, TenThousandRandomGenomesDecodeToValidSpecs) {
  const GenomeLayout layout = LayoutOf(LoadShipped(GetParam()));
  Lcg lcg{12345};
  std::set<int> families;
  int sharing_layers = 0, windowed_layers = 0;
  for (int i = 0; i < 10000; ++i) {
    const Genome genome = RandomGenome(layout, Uniform(lcg));
    ASSERT_TRUE(CheckGenome(layout, genome).ok());
    absl::StatusOr<ArchSpec> spec = Decode(layout, genome);
    ASSERT_TRUE(spec.ok()) << spec.status();
    const absl::Status valid = liv::ValidateArchSpec(*spec);
    ASSERT_TRUE(valid.ok()) << valid << "\n" << DescribeGenome(layout, genome);
    ASSERT_EQ(spec->layers_size(), static_cast<int>(layout.space().depth()));
    for (const Layer& l : spec->layers()) {
      families.insert(l.token_mixer_case());
      sharing_layers += l.has_attention() && l.attention().has_kv_source_layer();
      windowed_layers += l.has_attention() && l.attention().sliding_window() > 0;
    }
  }
  EXPECT_EQ(families.size(), 3u);  // every family is reachable
  EXPECT_GT(sharing_layers, 0);
  EXPECT_GT(windowed_layers, 0);
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
  EXPECT_THAT(text, HasSubstr("backbone[0].class=0 backbone[0].kv_group=0"));
  EXPECT_THAT(text, HasSubstr("class[0].family=attention"));
  EXPECT_THAT(text, HasSubstr("class[0].attention.num_heads=4"));
  EXPECT_THAT(text, HasSubstr("class[0].short_conv.gating=DOUBLE"));
  EXPECT_THAT(text, HasSubstr("class[0].channel_mixer=swiglu"));
}

}  // namespace
}  // namespace nas::star
