#include "star/canonical.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "base/fnv1a.h"
#include "liv/model/lfm2_presets.h"
#include "star/genome.h"
#include "star/genome_layout.h"
#include "star/search_space.h"
#include "tests/star/test_lcg.h"

namespace nas::star {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::MatchesRegex;

using testing::Lcg;

ArchSpec Preset(const std::string& name) {
  absl::StatusOr<ArchSpec> spec = liv::PresetArchSpec(name);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : ArchSpec();
}

TEST(Fnv1a128Test, PublishedVectors) {
  EXPECT_EQ(Fnv1a128Hex(""), "6c62272e07bb014262b821756295c58d");
  EXPECT_EQ(Fnv1a128Hex("a"), "d228cb696f1a8caf78912b704e4a8964");
  EXPECT_EQ(Fnv1a128Hex("foobar"), "343e1662793c64bf6f0d3597ba446f18");
  Fnv1a128 pieces;  // fed in pieces, the same digest
  pieces.Update("foo");
  pieces.Update("");
  pieces.Update("bar");
  EXPECT_EQ(pieces.Hex(), "343e1662793c64bf6f0d3597ba446f18");
}

TEST(CanonicalTest, HashIsStable) {
  // Pinned: the result store keys every measurement by this hash, so the canonical form may
  // only change together with kCanonicalVersion.
  const std::string hash = CanonicalHash(Preset("LFM2-350M"));
  EXPECT_THAT(hash, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(hash, "08618c24d6b1fc080d6f21fc67566394");
}

TEST(CanonicalTest, LabelsAndInformationalFieldsDoNotCount) {
  const ArchSpec spec = Preset("LFM2-350M");
  ArchSpec renamed = spec;
  renamed.set_name("something else");
  renamed.set_context_length(4096);
  EXPECT_EQ(CanonicalHash(spec), CanonicalHash(renamed));
  EXPECT_TRUE(SameArchitecture(spec, renamed));
  EXPECT_EQ(CanonicalArchSpec(renamed).name(), "");
  EXPECT_EQ(CanonicalArchSpec(renamed).context_length(), 0u);
}

TEST(CanonicalTest, EveryArchitecturalFieldCounts) {
  const ArchSpec base = Preset("LFM2-350M");
  const std::string hash = CanonicalHash(base);
  std::vector<ArchSpec> variants(10, base);
  variants[0].set_vocab_size(65535);
  variants[1].set_tie_embeddings(false);
  variants[2].set_norm_eps(1e-6f);
  variants[3].mutable_layers(2)->mutable_attention()->set_rope_theta(1e4f);
  variants[4].mutable_layers(2)->mutable_attention()->set_qk_norm(false);
  variants[5].mutable_layers(2)->mutable_attention()->set_sliding_window(4096);
  variants[6].mutable_layers(5)->mutable_attention()->set_kv_source_layer(2);
  variants[7].mutable_layers(0)->mutable_short_conv()->set_gating(ShortConv::NONE);
  variants[8].mutable_layers()->SwapElements(0, 2);  // order of layers
  variants[9].mutable_layers(4)->set_weight_source_layer(3);
  std::set<std::string> hashes = {hash};
  for (const ArchSpec& v : variants) hashes.insert(CanonicalHash(v));
  EXPECT_EQ(hashes.size(), variants.size() + 1);
  // An explicit kv_source_layer of 0 differs from none.
  ArchSpec zero = base;
  zero.mutable_layers(5)->mutable_attention()->set_kv_source_layer(0);
  EXPECT_NE(CanonicalHash(zero), hash);
}

TEST(CanonicalTest, WeightSharingCounts) {
  // The same layers with and without shared weights are different architectures (fewer
  // parameters), and so is sharing with another source.
  const ArchSpec unshared = Preset("LFM2-350M");
  ArchSpec shared = unshared;
  shared.mutable_layers(4)->set_weight_source_layer(3);
  shared.mutable_layers(5)->set_weight_source_layer(2);
  ArchSpec other_source = shared;
  other_source.mutable_layers(4)->set_weight_source_layer(1);
  ArchSpec from_zero = shared;
  from_zero.mutable_layers(4)->set_weight_source_layer(0);  // an explicit 0 counts too
  const std::set<std::string> hashes = {CanonicalHash(unshared), CanonicalHash(shared),
                                        CanonicalHash(other_source), CanonicalHash(from_zero)};
  EXPECT_EQ(hashes.size(), 4u);
  EXPECT_FALSE(SameArchitecture(shared, unshared));
  // The unshared layers hash as before weight sharing existed (pinned in HashIsStable).
  EXPECT_EQ(CanonicalHash(unshared), "08618c24d6b1fc080d6f21fc67566394");
  ArchSpec renamed = shared;
  renamed.set_name("shared");
  EXPECT_EQ(CanonicalHash(renamed), CanonicalHash(shared));
}

TEST(CanonicalTest, PresetsHaveDistinctHashes) {
  std::set<std::string> hashes;
  for (const std::string& name : liv::PresetNames()) hashes.insert(CanonicalHash(Preset(name)));
  EXPECT_EQ(hashes.size(), liv::PresetNames().size());
}

// The property on random genomes of each shipped space: equal hashes exactly when
// the canonical specs are equal. Each random genome is paired with a one-gene mutant, which
// often decodes to the same architecture (inactive genes, unused classes) by another genome.
TEST(CanonicalTest, HashEqualityMatchesArchitectureEquality) {
  for (const char* name : {"tiny.textproto", "lfm2-350m.textproto"}) {
    absl::StatusOr<SearchSpace> space =
        LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/" + name);
    ASSERT_TRUE(space.ok()) << space.status();
    absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(*space);
    ASSERT_TRUE(layout.ok());
    Lcg lcg{4242};
    const UniformIndex uniform = [&lcg](uint32_t n) { return lcg(n); };
    std::map<std::string, std::string> bytes_of_hash, hash_of_bytes;
    int equal_pairs = 0, different_pairs = 0;
    for (int i = 0; i < 2000; ++i) {
      const Genome genome = RandomGenome(*layout, uniform);
      Genome mutant = genome;
      const size_t gene = uniform(static_cast<uint32_t>(mutant.size()));
      mutant[gene] = uniform(layout->gene(gene).cardinality);
      for (const Genome& g : {genome, mutant}) {
        const ArchSpec spec = *Decode(*layout, g);
        const std::string bytes = CanonicalBytes(spec);
        const std::string hash = CanonicalHash(spec);
        auto [by_hash, new_hash] = bytes_of_hash.emplace(hash, bytes);
        EXPECT_EQ(by_hash->second, bytes) << "two architectures share hash " << hash;
        auto [by_bytes, new_bytes] = hash_of_bytes.emplace(bytes, hash);
        EXPECT_EQ(by_bytes->second, hash);
      }
      if (mutant == genome) continue;
      const ArchSpec a = *Decode(*layout, genome);
      const ArchSpec b = *Decode(*layout, mutant);
      const bool same = MessageDifferencer::Equals(CanonicalArchSpec(a), CanonicalArchSpec(b));
      EXPECT_EQ(same, CanonicalHash(a) == CanonicalHash(b));
      (same ? equal_pairs : different_pairs)++;
    }
    EXPECT_GT(equal_pairs, 100) << name;  // both sides of the property are exercised
    EXPECT_GT(different_pairs, 100) << name;
    EXPECT_GT(hash_of_bytes.size(), 1000u) << name;
  }
}

}  // namespace
}  // namespace nas::star
