#include "liv/model/spec_source.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "liv/model/arch_spec_io.h"
#include "liv/model/lfm2_presets.h"

namespace nas::liv {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kDataDir = NAS_TEST_DATA_DIR;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(LoadArchSpecTest, EveryPresetLoadsAndValidates) {
  ASSERT_FALSE(PresetNames().empty());
  for (const std::string& name : PresetNames()) {
    absl::StatusOr<ArchSpec> spec = LoadArchSpec(name);
    ASSERT_TRUE(spec.ok()) << name << ": " << spec.status();
    EXPECT_GT(spec->layers_size(), 0) << name;
  }
}

TEST(LoadArchSpecTest, PresetNamesAreCaseInsensitive) {
  absl::StatusOr<ArchSpec> lower = LoadArchSpec("lfm2-350m");
  absl::StatusOr<ArchSpec> canonical = LoadArchSpec("LFM2-350M");
  ASSERT_TRUE(lower.ok()) << lower.status();
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*lower, *canonical));
}

TEST(LoadArchSpecTest, PresetsObeyTheLimitsToo) {
  ValidationLimits limits;
  limits.max_parameters = 1'000'000;
  absl::StatusOr<ArchSpec> spec = LoadArchSpec("LFM2-350M", limits);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(Message(spec.status()), StartsWith("preset LFM2-350M: spec: "));
  EXPECT_THAT(Message(spec.status()), HasSubstr("exceed the cap of 1,000,000"));
}

TEST(LoadArchSpecTest, FilesInBothFormatsLoad) {
  absl::StatusOr<ArchSpec> text = LoadArchSpec(kDataDir + "/specs/tiny_hybrid.textproto");
  absl::StatusOr<ArchSpec> json = LoadArchSpec(kDataDir + "/specs/tiny_hybrid.json");
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*text, *json));
  EXPECT_EQ(text->name(), "tiny-hybrid");
}

TEST(LoadArchSpecTest, NeitherPresetNorFileListsThePresets) {
  absl::StatusOr<ArchSpec> spec = LoadArchSpec("LFM2-9000M");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(spec.status()), StartsWith("\"LFM2-9000M\" is neither a preset ("));
  for (const std::string& name : PresetNames()) {
    EXPECT_THAT(Message(spec.status()), HasSubstr(name));
  }
  EXPECT_THAT(Message(spec.status()), HasSubstr("nor a readable file (no such file)"));
}

TEST(LoadArchSpecTest, DirectoryIsNeitherPresetNorFile) {
  absl::StatusOr<ArchSpec> spec = LoadArchSpec(kDataDir);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(spec.status()), HasSubstr("is a directory"));
}

TEST(LoadArchSpecTest, ValidationErrorsArePrefixedWithThePath) {
  const std::string path = (std::filesystem::path(testing::TempDir()) / "my.textproto").string();
  absl::StatusOr<ArchSpec> good = LoadArchSpec(kDataDir + "/specs/tiny_hybrid.textproto");
  ASSERT_TRUE(good.ok()) << good.status();
  ArchSpec bad = *good;
  bad.mutable_layers(1)->mutable_attention()->set_num_kv_heads(3);
  std::ofstream(path) << ArchSpecToText(bad);
  absl::StatusOr<ArchSpec> spec = LoadArchSpec(path);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(spec.status()),
            path + ": layers[1].attention.num_kv_heads: 3 does not divide num_heads (4)");
  std::filesystem::remove(path);
}

TEST(LoadArchSpecTest, LimitsArePassedThrough) {
  ValidationLimits limits;
  limits.max_kernel_size = 3;
  absl::StatusOr<ArchSpec> spec = LoadArchSpec(kDataDir + "/specs/tiny_hybrid.json", limits);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(Message(spec.status()),
              HasSubstr("tiny_hybrid.json: layers[3].short_conv.kernel_size: 4 is out of range"));
}

// Every file in tests/data/bad_specs must fail with a one-line error that names the file
// and carries this fragment (a line:column, or a field path). A new bad file needs a row.
const std::map<std::string, std::string>& ExpectedFragments() {
  static const auto* table = new std::map<std::string, std::string>{
      {"bad_json_syntax.json", ":4:3: Expected , or } after key:value pair."},
      {"bad_utf8_name.textproto", ": name: not valid UTF-8"},
      {"binary_garbage.textproto", ":2:1: Invalid control characters"},
      {"comment_only.textproto", ": empty spec (no fields set)"},
      {"duplicate_field.textproto", ":4:8: Non-repeated field \"d_model\""},
      {"empty.json", ": empty spec (no fields set)"},
      {"empty.textproto", ": empty spec (no fields set)"},
      {"gating_unspecified.textproto", ": layers[0].short_conv.gating: must be set"},
      {"heads_not_dividing.textproto",
       ": layers[1].attention.num_kv_heads: 3 does not divide num_heads (16)"},
      {"huge_parameters.textproto",
       ": spec: 46,171,889,664 parameters exceed the cap of 20,000,000,000 "
       "(ValidationLimits.max_parameters)"},
      {"integer_out_of_range.textproto", ":2:10: Integer out of range (99999999999)"},
      {"invalid_enum.textproto", ":5:46: Unknown enumeration value of \"TRIPLE\""},
      {"json_heads_not_dividing.json",
       ": layers[0].attention.num_kv_heads: 3 does not divide num_heads (16)"},
      {"json_invalid_enum.json",
       ":11:49: layers[1].short_conv.gating: invalid value \"TRIPLE\" "
       "(expected one of DOUBLE, OUTPUT_ONLY, NONE)"},
      {"json_negative.json", ":7:38: layers[0].short_conv.kernel_size: invalid value -3"},
      {"json_not_object.json", ": Root element must be a message."},
      {"json_trailing_garbage.json", ":6:1: Parsing terminated before end of input."},
      {"json_truncated.json", ":5:40: Unexpected end of string."},
      {"json_two_token_mixers.json", ":8:7: layers[0]: oneof field 'token_mixer' is already set"},
      {"json_unknown_field.json", ":12:22: layers[1].attention.num_q_groups: unknown field"},
      {"json_weight_share_hidden_mismatch.json",
       ": layers[1].weight_source_layer: layer 0 differs in gelu_mlp.hidden (this layer: 256, "
       "layer 0: 128)"},
      {"json_wrong_type.json", ":3:14: d_model: invalid value \"sixty-four\""},
      {"kernel_size_1.textproto", ": layers[0].short_conv.kernel_size: 1 is out of range [2, 16]"},
      {"kernel_size_17.textproto",
       ": layers[0].short_conv.kernel_size: 17 is out of range [2, 16]"},
      {"kv_share_chained.textproto",
       ": layers[2].attention.kv_source_layer: layer 1 computes no K/V of its own"},
      {"kv_share_heads_mismatch.textproto",
       ": layers[1].attention.num_kv_heads: 4 differs from that of KV source layer 0 (2)"},
      {"kv_share_later_layer.textproto",
       ": layers[1].attention.kv_source_layer: 2 is not an earlier layer"},
      {"kv_share_non_attention.textproto",
       ": layers[1].attention.kv_source_layer: layer 0 is not an attention layer"},
      {"kv_share_self.textproto", ": layers[0].attention.kv_source_layer: 0 is not an earlier"},
      {"kv_share_window_exceeds.textproto",
       ": layers[1].attention.sliding_window: 0 must be in 1..128"},
      {"missing_channel_mixer.textproto", ": layers[0]: no channel mixer"},
      {"missing_token_mixer.textproto",
       ": layers[1]: no token mixer (set attention, short_conv or recurrence)"},
      {"negative_size.textproto", ":2:10: Expected integer, got: -"},
      {"no_layers.textproto", ": layers: no layers"},
      {"norm_eps_nan.textproto", ": norm_eps: must be finite and in (0, 0.1]"},
      {"norm_eps_too_large.textproto", ": norm_eps: must be finite and in (0, 0.1]"},
      {"odd_head_dim.textproto", ": layers[0].attention.head_dim: 15 must be even"},
      {"recurrence_zero_heads.textproto", ": layers[0].recurrence.num_heads: must be > 0"},
      {"rope_theta_zero.textproto", ": layers[0].attention.rope_theta: must be finite and > 0"},
      {"syntax_error.textproto", ":3:9: Expected \":\", found \"64\"."},
      {"too_many_heads.textproto",
       ": layers[0].attention.num_heads: 4096 exceeds the limit of 1024"},
      {"truncated.textproto", ":7:1: Expected identifier, got: end of input"},
      {"two_token_mixers.textproto",
       ":6:13: Field \"attention\" is specified along with field \"short_conv\""},
      {"unknown_field.textproto",
       ":4:12: Message type \"nas.ArchSpec\" has no field named "
       "\"hidden_size\"."},
      {"weight_share_chained.textproto",
       ": layers[2].weight_source_layer: layer 1 shares the weights of layer 0 itself; name "
       "layer 0 instead"},
      {"weight_share_field_mismatch.textproto",
       ": layers[1].weight_source_layer: layer 0 differs in attention.num_heads (this layer: 8, "
       "layer 0: 16)"},
      {"weight_share_kv_sharer_source.textproto",
       ": layers[2].weight_source_layer: layer 1 has no K/V projections (it reuses layer 0's "
       "K/V), so only a layer that also sets attention.kv_source_layer can use its weights"},
      {"weight_share_later_layer.textproto",
       ": layers[1].weight_source_layer: 2 is not an earlier layer (a layer can only use the "
       "weights of layers 0..0)"},
      {"weight_share_mixer_mismatch.textproto",
       ": layers[1].weight_source_layer: layer 0 differs in the token mixer (this layer: "
       "attention, layer 0: short_conv)"},
      {"wrong_type.textproto", ":2:10: Expected integer, got: \"sixty-four\""},
      {"zero_d_model.textproto", ": d_model: must be > 0"},
      {"zero_hidden.textproto", ": layers[0].gelu_mlp.hidden: must be > 0"},
  };
  return *table;
}

TEST(LoadArchSpecTest, EveryBadSpecFailsWithAOneLineErrorNamingFileAndPlace) {
  const std::filesystem::path dir = kDataDir + "/bad_specs";
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    seen.insert(file);
    SCOPED_TRACE(file);
    absl::StatusOr<ArchSpec> spec = LoadArchSpec(entry.path().string());
    ASSERT_FALSE(spec.ok()) << "accepted a bad spec";
    const std::string message = Message(spec.status());
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_THAT(message, Not(HasSubstr("\n")));
    EXPECT_THAT(message, StartsWith(entry.path().string()));
    const auto expected = ExpectedFragments().find(file);
    ASSERT_NE(expected, ExpectedFragments().end())
        << "no expected fragment for this file; its error is: " << message;
    EXPECT_THAT(message, HasSubstr(file + expected->second));
  }
  for (const auto& [file, fragment] : ExpectedFragments()) {
    EXPECT_TRUE(seen.count(file)) << "missing bad spec file " << file;
  }
  EXPECT_GE(seen.size(), 40u);
}

}  // namespace
}  // namespace nas::liv
