#include "star/search_space_validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "star/search_space.h"

namespace nas::star {
namespace {

using ::testing::HasSubstr;

SearchSpace Tiny() {
  absl::StatusOr<SearchSpace> space =
      LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/tiny.textproto");
  EXPECT_TRUE(space.ok()) << space.status();
  return space.ok() ? *space : SearchSpace();
}

TEST(SearchSpaceValidateTest, HostPort) {
  for (const char* good :
       {"127.0.0.1:50061", "localhost:1", "phone.lan:65535", "[::1]:50051", "my-host_2:80"}) {
    EXPECT_TRUE(CheckHostPort(good).ok()) << good;
  }
  for (const char* bad : {"", "localhost", ":50051", "host:", "host:0", "host:65536", "host:12ab",
                          "ho st:1", "::1:50051", "host:+1", "host:123456"}) {
    EXPECT_FALSE(CheckHostPort(bad).ok()) << bad;
  }
}

TEST(SearchSpaceValidateTest, ProtocolDefaultsAreTheAgents) {
  const nas::agent::MeasureProtocol p = ProtocolWithDefaults({});
  EXPECT_THAT(p.prompt_lengths(), ::testing::ElementsAre(512, 4096));
  EXPECT_THAT(p.decode_depths(), ::testing::ElementsAre(0, 4096));
  nas::agent::MeasureProtocol given;
  given.add_prompt_lengths(64);
  EXPECT_THAT(ProtocolWithDefaults(given).prompt_lengths(), ::testing::ElementsAre(64));
}

TEST(SearchSpaceValidateTest, ObjectiveDirections) {
  EXPECT_TRUE(IsMaximizedObjective(Objective::QUALITY));
  EXPECT_TRUE(IsMaximizedObjective(Objective::PREFILL_TOKENS_PER_S));
  EXPECT_FALSE(IsMaximizedObjective(Objective::DECODE_MS_PER_TOKEN));
  EXPECT_FALSE(IsMaximizedObjective(Objective::PEAK_MEMORY_BYTES));
  EXPECT_TRUE(IsMeasuredObjective(Objective::TIME_TO_FIRST_TOKEN_MS));
  EXPECT_FALSE(IsMeasuredObjective(Objective::CACHE_BYTES));
  EXPECT_FALSE(IsMeasuredObjective(Objective::PARAMETERS));
}

TEST(SearchSpaceValidateTest, ShippedSpacePasses) {
  EXPECT_TRUE(ValidateSearchSpaceFields(Tiny()).ok());
}

TEST(SearchSpaceValidateTest, ParameterCapOfTheLargestCandidate) {
  liv::ValidationLimits limits;
  limits.max_parameters = 100000;
  EXPECT_THAT(std::string(ValidateGenomeChoices(Tiny(), limits).message()),
              HasSubstr("depth: the largest candidate has"));
  SearchSpace space = Tiny();
  space.mutable_budgets()->set_min_parameters(10'000'000);
  space.mutable_budgets()->set_max_parameters(0);
  EXPECT_THAT(std::string(ValidateSearchSpaceFields(space).message()),
              HasSubstr("budgets.min_parameters: 10000000 exceeds the largest candidate"));
}

TEST(SearchSpaceValidateTest, ObjectiveFieldsMustFitTheKind) {
  SearchSpace space = Tiny();
  space.mutable_objectives(0)->set_device_class("laptop");
  EXPECT_EQ(ValidateSearchSpaceFields(space).message(),
            "objectives[0].device_class: QUALITY is not measured on a device; remove "
            "device_class");
  space = Tiny();
  space.mutable_objectives(1)->set_prompt_length(64);
  EXPECT_THAT(std::string(ValidateSearchSpaceFields(space).message()),
              HasSubstr("objectives[1].prompt_length: only PREFILL_TOKENS_PER_S"));
  space = Tiny();
  Objective* cache = space.add_objectives();
  cache->set_kind(Objective::CACHE_BYTES);
  EXPECT_EQ(ValidateSearchSpaceFields(space).message(),
            "objectives[3].context: not set (e.g. 4096)");
  cache->set_context(4096);
  EXPECT_TRUE(ValidateSearchSpaceFields(space).ok());
  Objective* prefill = space.add_objectives();
  prefill->set_kind(Objective::PREFILL_TOKENS_PER_S);
  prefill->set_device_class("phone");
  prefill->set_prompt_length(512);
  EXPECT_EQ(ValidateSearchSpaceFields(space).message(),
            "objectives[4].prompt_length: 512 is not among the protocol's prompt_lengths (64)");
}

TEST(SearchSpaceValidateTest, DeviceBudgetsNeedABoundAndAMeasuredPoint) {
  SearchSpace space = Tiny();
  space.mutable_budgets()->mutable_devices(0)->set_max_peak_memory_bytes(0);
  EXPECT_THAT(std::string(ValidateSearchSpaceFields(space).message()),
              HasSubstr("budgets.devices[0]: sets no bound"));
  space = Tiny();
  space.mutable_budgets()->mutable_devices(1)->set_decode_depth(4096);
  EXPECT_EQ(ValidateSearchSpaceFields(space).message(),
            "budgets.devices[1].decode_depth: 4096 is not among the protocol's decode_depths "
            "(0, 64)");
}

TEST(SearchSpaceValidateTest, SharingGroupsNeedAttentionAndFitTheDepth) {
  SearchSpace space = Tiny();
  space.set_kv_sharing_groups(7);
  EXPECT_EQ(ValidateGenomeChoices(space).message(), "kv_sharing_groups: 7 exceeds depth (6)");
}

TEST(SearchSpaceValidateTest, WeightSharingGroupsFitTheDepth) {
  SearchSpace space = Tiny();
  space.set_weight_sharing_groups(6);  // every slot its own group: allowed
  EXPECT_TRUE(ValidateGenomeChoices(space).ok()) << ValidateGenomeChoices(space);
  space.set_weight_sharing_groups(0);
  EXPECT_TRUE(ValidateGenomeChoices(space).ok()) << ValidateGenomeChoices(space);
  space.set_weight_sharing_groups(7);
  EXPECT_EQ(ValidateGenomeChoices(space).message(), "weight_sharing_groups: 7 exceeds depth (6)");
  // Unlike KV sharing, weight sharing needs no particular family.
  space.set_weight_sharing_groups(2);
  space.set_kv_sharing_groups(0);
  space.mutable_token_mixers()->clear_attention();
  EXPECT_TRUE(ValidateGenomeChoices(space).ok()) << ValidateGenomeChoices(space);
}

TEST(SearchSpaceValidateTest, HeadsTimesHeadDimWithinLimits) {
  SearchSpace space = Tiny();
  space.mutable_token_mixers()->mutable_attention()->set_head_dims(0, 512);
  liv::ValidationLimits limits;
  limits.max_hidden = 1024;
  EXPECT_EQ(ValidateGenomeChoices(space, limits).message(),
            "token_mixers.attention: largest num_heads x largest head_dims = 2048 exceeds 1024 "
            "(ValidationLimits.max_hidden)");
}

}  // namespace
}  // namespace nas::star
