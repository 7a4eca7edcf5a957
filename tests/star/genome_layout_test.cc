#include "star/genome_layout.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "star/search_space.h"

namespace nas::star {
namespace {

GenomeLayout TinyLayout() {
  absl::StatusOr<SearchSpace> space =
      LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/tiny.textproto");
  EXPECT_TRUE(space.ok()) << space.status();
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(*space);
  EXPECT_TRUE(layout.ok()) << layout.status();
  return *std::move(layout);
}

size_t Gene(const GenomeLayout& layout, const std::string& name) {
  std::optional<size_t> at = layout.Find(name);
  EXPECT_TRUE(at.has_value()) << name;
  return at.value_or(0);
}

TEST(GenomeLayoutTest, NamesAndRangesFollowTheSpace) {
  const GenomeLayout layout = TinyLayout();
  // 6 slots x (class, kv_group, weight_group) + 3 classes x (family, 6 attention, 2 conv,
  // 2 recurrence, channel_mixer, swiglu.hidden).
  EXPECT_EQ(layout.size(), 6u * 3 + 3u * 13);
  EXPECT_EQ(layout.gene(0).name, "backbone[0].class");
  EXPECT_EQ(layout.gene(0).cardinality, 3u);
  EXPECT_EQ(layout.gene(1).name, "backbone[0].kv_group");
  EXPECT_EQ(layout.gene(1).cardinality, 2u);  // kv_sharing_groups: 1
  EXPECT_EQ(layout.gene(2).name, "backbone[0].weight_group");
  EXPECT_EQ(layout.gene(2).cardinality, 3u);  // weight_sharing_groups: 2
  EXPECT_EQ(layout.gene(3).name, "backbone[1].class");
  EXPECT_EQ(layout.gene(17).name, "backbone[5].weight_group");
  EXPECT_EQ(layout.gene(18).name, "class[0].family");
  for (int s = 0; s < layout.depth(); ++s) {
    EXPECT_EQ(layout.slot(s).liv_class, 3 * s);
    EXPECT_EQ(layout.slot(s).kv_group, 3 * s + 1);
    EXPECT_EQ(layout.slot(s).weight_group, 3 * s + 2);
    EXPECT_EQ(layout.gene(layout.slot(s).weight_group).name,
              "backbone[" + std::to_string(s) + "].weight_group");
  }
  EXPECT_EQ(layout.gene(Gene(layout, "class[1].family")).cardinality, 3u);
  EXPECT_EQ(layout.gene(Gene(layout, "class[2].attention.num_heads")).cardinality, 2u);
  EXPECT_EQ(layout.gene(Gene(layout, "class[0].short_conv.gating")).cardinality, 2u);
  EXPECT_EQ(layout.gene(Gene(layout, "class[0].channel_mixer")).cardinality, 2u);  // swiglu, none
  EXPECT_FALSE(layout.Find("class[0].gelu_mlp.hidden").has_value());
  EXPECT_FALSE(layout.Find("class[3].family").has_value());
  EXPECT_EQ(layout.families().size(), 3u);
  EXPECT_EQ(layout.liv_class(2).family, static_cast<int>(Gene(layout, "class[2].family")));
}

TEST(GenomeLayoutTest, NoKvGroupGenesWithoutSharing) {
  SearchSpace space = TinyLayout().space();
  space.set_kv_sharing_groups(0);
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_FALSE(layout->Find("backbone[0].kv_group").has_value());
  EXPECT_EQ(layout->slot(0).kv_group, GenomeLayout::kNoGene);
  EXPECT_EQ(layout->size(), TinyLayout().size() - 6);
}

TEST(GenomeLayoutTest, NoWeightGroupGenesWithoutSharing) {
  SearchSpace space = TinyLayout().space();
  space.set_weight_sharing_groups(0);
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_FALSE(layout->Find("backbone[0].weight_group").has_value());
  EXPECT_EQ(layout->slot(0).weight_group, GenomeLayout::kNoGene);
  EXPECT_EQ(layout->size(), TinyLayout().size() - 6);
  EXPECT_EQ(layout->gene(2).name, "backbone[1].class");
}

TEST(GenomeLayoutTest, WeightGroupFollowsTheClassWithoutKvGroups) {
  SearchSpace space = TinyLayout().space();
  space.set_kv_sharing_groups(0);
  space.set_weight_sharing_groups(6);  // up to depth
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->gene(0).name, "backbone[0].class");
  EXPECT_EQ(layout->gene(1).name, "backbone[0].weight_group");
  EXPECT_EQ(layout->gene(1).cardinality, 7u);
  EXPECT_EQ(layout->gene(2).name, "backbone[1].class");
  EXPECT_EQ(layout->slot(1).weight_group, 3);
  EXPECT_EQ(layout->slot(1).kv_group, GenomeLayout::kNoGene);
  space.set_weight_sharing_groups(7);
  EXPECT_EQ(GenomeLayout::Create(space).status().message(),
            "weight_sharing_groups: 7 exceeds depth (6)");
}

TEST(GenomeLayoutTest, InvalidSpacesGetNoLayout) {
  SearchSpace space = TinyLayout().space();
  space.mutable_token_mixers()->mutable_attention()->clear_head_dims();
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().message(),
            "token_mixers.attention.head_dims: empty list (give at least one value)");
}

}  // namespace
}  // namespace nas::star
