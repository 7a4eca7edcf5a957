#include "liv/model/arch_spec_io.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/match.h"
#include "liv/model/arch_spec_validate.h"

namespace nas::liv {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string SpecPath(const std::string& name) {
  return std::string(NAS_TEST_DATA_DIR) + "/specs/" + name;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

ArchSpec ReadOrDie(const std::string& path) {
  absl::StatusOr<ArchSpec> spec = ReadArchSpecFile(path);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : ArchSpec();
}

TEST(ArchSpecIoTest, TextAndJsonTwinsParseToEqualValidSpecs) {
  const ArchSpec text = ReadOrDie(SpecPath("tiny_hybrid.textproto"));
  const ArchSpec json = ReadOrDie(SpecPath("tiny_hybrid.json"));
  EXPECT_TRUE(MessageDifferencer::Equals(text, json)) << text.ShortDebugString() << "\nvs\n"
                                                      << json.ShortDebugString();
  EXPECT_TRUE(ValidateArchSpec(text).ok()) << ValidateArchSpec(text);
  ASSERT_EQ(text.layers_size(), 5);
  EXPECT_TRUE(text.layers(0).has_short_conv());
  EXPECT_TRUE(text.layers(1).has_attention());
  EXPECT_TRUE(text.layers(2).has_recurrence());
  EXPECT_EQ(text.layers(4).attention().kv_source_layer(), 1u);
  EXPECT_FLOAT_EQ(text.norm_eps(), 1e-5f);
}

TEST(ArchSpecIoTest, TextRoundTrip) {
  const ArchSpec spec = ReadOrDie(SpecPath("tiny_hybrid.textproto"));
  const std::string text = ArchSpecToText(spec);
  absl::StatusOr<ArchSpec> again = ParseArchSpecText(text, "round-trip");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << text;
  EXPECT_TRUE(MessageDifferencer::Equals(spec, *again)) << text;
}

TEST(ArchSpecIoTest, JsonRoundTripUsesProtoFieldNames) {
  const ArchSpec spec = ReadOrDie(SpecPath("tiny_hybrid.textproto"));
  const std::string json = ArchSpecToJson(spec);
  EXPECT_THAT(json, HasSubstr("\"num_kv_heads\""));
  EXPECT_THAT(json, HasSubstr("\"kv_source_layer\""));
  EXPECT_THAT(json, HasSubstr("\"DOUBLE\""));
  EXPECT_THAT(json, Not(HasSubstr("numKvHeads")));
  EXPECT_THAT(json, HasSubstr("\n"));  // pretty-printed
  absl::StatusOr<ArchSpec> again = ParseArchSpecJson(json, "round-trip.json");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << json;
  EXPECT_TRUE(MessageDifferencer::Equals(spec, *again)) << json;
}

TEST(ArchSpecIoTest, WeightSharingTwinsParseAndRoundTrip) {
  const ArchSpec text = ReadOrDie(SpecPath("weight_sharing.textproto"));
  const ArchSpec json = ReadOrDie(SpecPath("weight_sharing.json"));
  EXPECT_TRUE(MessageDifferencer::Equals(text, json)) << text.ShortDebugString() << "\nvs\n"
                                                      << json.ShortDebugString();
  EXPECT_TRUE(ValidateArchSpec(text).ok()) << ValidateArchSpec(text);
  ASSERT_EQ(text.layers_size(), 5);
  EXPECT_FALSE(text.layers(1).has_weight_source_layer());
  EXPECT_TRUE(text.layers(2).has_weight_source_layer());
  EXPECT_EQ(text.layers(2).weight_source_layer(), 0u);
  EXPECT_EQ(text.layers(4).weight_source_layer(), 1u);
  // Presence survives both formats, also for layer 0 as a source (the value 0).
  const std::string as_text = ArchSpecToText(text);
  EXPECT_THAT(as_text, HasSubstr("weight_source_layer: 0"));
  absl::StatusOr<ArchSpec> from_text = ParseArchSpecText(as_text, "round-trip");
  ASSERT_TRUE(from_text.ok()) << from_text.status();
  EXPECT_TRUE(MessageDifferencer::Equals(text, *from_text)) << as_text;
  const std::string as_json = ArchSpecToJson(text);
  EXPECT_THAT(as_json, HasSubstr("\"weight_source_layer\": 0"));
  absl::StatusOr<ArchSpec> from_json = ParseArchSpecJson(as_json, "round-trip.json");
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  EXPECT_TRUE(MessageDifferencer::Equals(text, *from_json)) << as_json;
  EXPECT_TRUE(from_json->layers(2).has_weight_source_layer());
  EXPECT_FALSE(from_json->layers(0).has_weight_source_layer());
}

TEST(ArchSpecIoTest, JsonAcceptsCamelCaseAndSnakeCase) {
  absl::StatusOr<ArchSpec> snake = ParseArchSpecJson(R"({"d_model": 8, "vocab_size": 3})", "a");
  absl::StatusOr<ArchSpec> camel = ParseArchSpecJson(R"({"dModel": 8, "vocabSize": 3})", "b");
  ASSERT_TRUE(snake.ok()) << snake.status();
  ASSERT_TRUE(camel.ok()) << camel.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*snake, *camel));
  EXPECT_EQ(camel->d_model(), 8u);
}

TEST(ArchSpecIoTest, TextSyntaxErrorHasOneBasedLineAndColumn) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecText("vocab_size: 3\nd_model 64\n", "s.txtpb");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(spec.status()), "s.txtpb:2:9: Expected \":\", found \"64\".");
}

TEST(ArchSpecIoTest, TextUnknownFieldIsAnError) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecText("vocab_size: 3\nwidth: 64\n", "s.txtpb");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(Message(spec.status()), StartsWith("s.txtpb:2:"));
  EXPECT_THAT(Message(spec.status()), HasSubstr("no field named \"width\""));
}

TEST(ArchSpecIoTest, TextTruncatedInputSaysEndOfInput) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecText("layers {\n  attention {", "t");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(Message(spec.status()), HasSubstr("end of input"));
}

TEST(ArchSpecIoTest, JsonUnknownFieldIsAnErrorWithLine) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecJson(
      "{\n  \"d_model\": 64,\n  \"layers\": [{\"swiglu\": {\"width\": 3}}]\n}", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(Message(spec.status()), "s.json:3:26: layers[0].swiglu.width: unknown field");
}

TEST(ArchSpecIoTest, JsonTopLevelUnknownField) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecJson("{\"d_model\": 64,\n \"depth\": 3}", "s");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(Message(spec.status()), "s:2:2: depth: unknown field");
}

TEST(ArchSpecIoTest, JsonSyntaxErrorHasLineAndColumn) {
  absl::StatusOr<ArchSpec> spec =
      ParseArchSpecJson("{\n  \"d_model\": 64\n  \"vocab_size\": 3\n}", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(Message(spec.status()), "s.json:3:3: Expected , or } after key:value pair.");
}

TEST(ArchSpecIoTest, JsonWrongTypeNamesFieldLineAndExpectation) {
  absl::StatusOr<ArchSpec> spec =
      ParseArchSpecJson("{\n  \"norm_eps\": 1e-5,\n  \"dModel\": true\n}", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(Message(spec.status()),
            "s.json:3:13: d_model: invalid value true (expected a non-negative integer < 2^32)");
}

TEST(ArchSpecIoTest, JsonInvalidEnumListsTheValues) {
  absl::StatusOr<ArchSpec> spec =
      ParseArchSpecJson(R"({"layers": [{"short_conv": {"gating": "TRIPLE"}}]})", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(Message(spec.status()),
            "s.json:1:39: layers[0].short_conv.gating: invalid value \"TRIPLE\" "
            "(expected one of DOUBLE, OUTPUT_ONLY, NONE)");
}

TEST(ArchSpecIoTest, JsonTwoMembersOfAOneofPointAtTheSecond) {
  absl::StatusOr<ArchSpec> spec =
      ParseArchSpecJson("{\"layers\": [{\n\"attention\": {},\n\"recurrence\": {}}]}", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(Message(spec.status()), StartsWith("s.json:3:1: layers[0]: oneof field "));
  EXPECT_THAT(Message(spec.status()), HasSubstr("'token_mixer' is already set"));
}

TEST(ArchSpecIoTest, ControlCharactersInQuotedValuesAreEscaped) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecJson("{\n\"d_model\": \"a\\nb\"}", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(Message(spec.status()),
            "s.json:2:12: d_model: invalid value \"a\\nb\" "
            "(expected a non-negative integer < 2^32)");
}

TEST(ArchSpecIoTest, JsonTruncatedPointsAtTheEnd) {
  absl::StatusOr<ArchSpec> spec = ParseArchSpecJson("{\n  \"d_model\": 64,\n", "s.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(Message(spec.status()), StartsWith("s.json:2:17: Unexpected end of string"));
}

TEST(ArchSpecIoTest, EmptyInputIsAnError) {
  for (const char* text : {"", "  \n", "# nothing\n"}) {
    absl::StatusOr<ArchSpec> spec = ParseArchSpecText(text, "e.txtpb");
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_EQ(Message(spec.status()), "e.txtpb: empty spec (no fields set)");
  }
  for (const char* text : {"", "{}", " \n"}) {
    absl::StatusOr<ArchSpec> spec = ParseArchSpecJson(text, "e.json");
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_EQ(Message(spec.status()), "e.json: empty spec (no fields set)");
  }
}

TEST(ArchSpecIoTest, JsonErrorsAreOneLine) {
  for (const char* text :
       {"{", "[1]", "{\"d_model\": 1 2}", "{} x", "{\"name\": \"\\ud800\"}", "{\"d_model\": -1}",
        "{\"layers\": 3}", "nul", "{\"d_model\": \"a\\nb\\u0001\"}"}) {
    absl::StatusOr<ArchSpec> spec = ParseArchSpecJson(text, "x.json");
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_THAT(Message(spec.status()), StartsWith("x.json")) << text;
    EXPECT_THAT(Message(spec.status()), Not(HasSubstr("\n"))) << text;
  }
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every prefix and every single-byte corruption of the sample specs parses or fails with a
// one-line error naming the source; none may crash.
TEST(ArchSpecIoTest, TruncatedAndCorruptedInputsFailCleanly) {
  for (const char* name : {"tiny_hybrid.textproto", "tiny_hybrid.json"}) {
    const std::string text = ReadText(SpecPath(name));
    ASSERT_FALSE(text.empty()) << name;
    const bool json = absl::EndsWith(name, ".json");
    auto parse = [&](const std::string& input) {
      return json ? ParseArchSpecJson(input, "src") : ParseArchSpecText(input, "src");
    };
    for (size_t n = 0; n < text.size(); ++n) {
      std::string corrupted = text;
      static constexpr char kBytes[] = {'x', '{', '"', '\n', ':', '[', '0', '-', '\0', '\xff'};
      corrupted[n] = kBytes[n % sizeof(kBytes)];
      for (const std::string& input : {text.substr(0, n), corrupted}) {
        absl::StatusOr<ArchSpec> spec = parse(input);
        if (spec.ok()) continue;
        EXPECT_THAT(Message(spec.status()), StartsWith("src")) << input;
        EXPECT_THAT(Message(spec.status()), Not(HasSubstr("\n"))) << input;
      }
    }
  }
}

TEST(ArchSpecIoTest, MissingFileIsNotFoundNamingThePath) {
  const std::string path = SpecPath("does_not_exist.textproto");
  absl::StatusOr<ArchSpec> spec = ReadArchSpecFile(path);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(spec.status()), HasSubstr(path));
}

TEST(ArchSpecIoTest, DirectoryIsNotFound) {
  absl::StatusOr<ArchSpec> spec = ReadArchSpecFile(std::string(NAS_TEST_DATA_DIR) + "/specs");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(spec.status()), HasSubstr("directory"));
}

TEST(ArchSpecIoTest, ExtensionPicksTheFormat) {
  const std::filesystem::path dir = testing::TempDir();
  const std::string json_path = (dir / "arch_spec_io_test.JSON").string();
  const std::string text_path = (dir / "arch_spec_io_test.pbtxt").string();
  std::ofstream(json_path) << R"({"d_model": 16})";
  std::ofstream(text_path) << "d_model: 16\n";
  absl::StatusOr<ArchSpec> from_json = ReadArchSpecFile(json_path);
  absl::StatusOr<ArchSpec> from_text = ReadArchSpecFile(text_path);
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  ASSERT_TRUE(from_text.ok()) << from_text.status();
  EXPECT_EQ(from_json->d_model(), 16u);
  EXPECT_EQ(from_text->d_model(), 16u);
  std::filesystem::remove(json_path);
  std::filesystem::remove(text_path);
}

}  // namespace
}  // namespace nas::liv
