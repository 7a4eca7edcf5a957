#include "star/search_space.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nas::star {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

std::string SpacePath(const std::string& name) {
  return std::string(NAS_SEARCH_SPACES_DIR) + "/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SearchSpaceTest, ShippedSpacesLoad) {
  for (const char* name : {"tiny.textproto", "lfm2-350m.textproto"}) {
    absl::StatusOr<SearchSpace> space = LoadSearchSpace(SpacePath(name));
    ASSERT_TRUE(space.ok()) << space.status();
    EXPECT_GE(space->objectives_size(), 2);
    EXPECT_FALSE(space->references().empty());
  }
}

TEST(SearchSpaceTest, Lfm2SpaceHasTheIssuesShape) {
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(SpacePath("lfm2-350m.textproto"));
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_EQ(space->depth(), 16u);
  EXPECT_EQ(space->d_model(), 1024u);
  EXPECT_EQ(space->vocab_size(), 65536u);
  EXPECT_LE(space->budgets().min_parameters(), 354'483'968u);
  EXPECT_GE(space->budgets().max_parameters(), 354'483'968u);
  ASSERT_FALSE(space->references().empty());
  EXPECT_EQ(space->references(0).preset(), "LFM2-350M");
  absl::StatusOr<ArchSpec> reference = ResolveReference(space->references(0));
  ASSERT_TRUE(reference.ok()) << reference.status();
  EXPECT_EQ(reference->name(), "LFM2-350M");
  EXPECT_EQ(reference->layers_size(), 16);
}

TEST(SearchSpaceTest, TinySpaceMatchesTheLoopbackDemo) {
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(SpacePath("tiny.textproto"));
  ASSERT_TRUE(space.ok()) << space.status();
  ASSERT_EQ(space->devices_size(), 2);
  EXPECT_EQ(space->devices(0).name(), "laptop");
  EXPECT_THAT(space->devices(0).agents(),
              ::testing::ElementsAre("127.0.0.1:50061", "127.0.0.1:50062"));
  EXPECT_EQ(space->devices(1).name(), "phone");
  EXPECT_THAT(space->devices(1).agents(), ::testing::ElementsAre("127.0.0.1:50063"));
  EXPECT_LE(space->evolution().population(), 8u);
  EXPECT_LE(space->evolution().generations(), 3u);
  // Quality from a short MAD recall training (about 10-20 s per candidate on 2 cores).
  EXPECT_EQ(space->evaluator().kind(), Evaluator::MAD);
  EXPECT_THAT(space->evaluator().training().tasks(), ::testing::ElementsAre("in_context_recall"));
  EXPECT_EQ(space->evaluator().training().seq_len(), 64u);
  EXPECT_EQ(space->evaluator().training().budget().steps(), 200u);
}

// Every file in tests/data/bad_spaces says what it gets wrong: a "# expect: FIELD.PATH"
// header and a "# <- error" marker on the line the error must name.
struct BadSpace {
  std::string path;
  std::string expected_field;
  int expected_line = 0;
};

std::vector<std::string> BadSpaceFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(NAS_TEST_DATA_DIR) + "/bad_spaces")) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

BadSpace ReadBadSpace(const std::string& path) {
  BadSpace bad{path, "", 0};
  int number = 0;
  for (absl::string_view line : absl::StrSplit(ReadFile(path), '\n')) {
    ++number;
    if (absl::StartsWith(line, "# expect: ")) bad.expected_field = std::string(line.substr(10));
    if (absl::StrContains(line, "# <- error") && bad.expected_line == 0) {
      bad.expected_line = number;
    }
  }
  return bad;
}

class BadSpaceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadSpaceTest, OneLineErrorNamesFileLineAndField) {
  const BadSpace bad = ReadBadSpace(GetParam());
  ASSERT_FALSE(bad.expected_field.empty()) << bad.path << " lacks a '# expect: PATH' line";
  ASSERT_GT(bad.expected_line, 0) << bad.path << " lacks a '# <- error' marker";
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(bad.path);
  ASSERT_FALSE(space.ok()) << bad.path << " loaded";
  EXPECT_EQ(space.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(space.status().message());
  std::cout << message << "\n";
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_THAT(message, StartsWith(absl::StrCat(bad.path, ":", bad.expected_line, ":")));
  EXPECT_THAT(message, MatchesRegex(".*:[0-9]+:[0-9]+: .*"));
  EXPECT_THAT(message, HasSubstr(absl::StrCat(": ", bad.expected_field, ": "))) << message;
}

INSTANTIATE_TEST_SUITE_P(AllFiles, BadSpaceTest, ::testing::ValuesIn(BadSpaceFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SearchSpaceTest, BadSpaceDirectoryIsNotEmpty) { EXPECT_GE(BadSpaceFiles().size(), 20u); }

// The tiny space with one line replaced, for inline cases.
std::string TinyWith(const std::string& old_text, const std::string& new_text) {
  std::string text = ReadFile(SpacePath("tiny.textproto"));
  const size_t at = text.find(old_text);
  EXPECT_NE(at, std::string::npos) << old_text;
  if (at != std::string::npos) text.replace(at, old_text.size(), new_text);
  return text;
}

TEST(SearchSpaceTest, UnknownFieldSuggestsTheClosestName) {
  absl::StatusOr<SearchSpace> space =
      ParseSearchSpaceText(TinyWith("kv_sharing_groups: 1", "kv_sharing_group: 1"), "t.txtpb");
  ASSERT_FALSE(space.ok());
  EXPECT_THAT(std::string(space.status().message()),
              MatchesRegex("t\\.txtpb:[0-9]+:1: kv_sharing_group: unknown field .*did you mean "
                           "\"kv_sharing_groups\"\\?.*"));
}

TEST(SearchSpaceTest, ErrorsInRepeatedMessagesNameTheIndex) {
  absl::StatusOr<SearchSpace> space = ParseSearchSpaceText(
      TinyWith("agents: [\"127.0.0.1:50063\"]", "agents: [\"127.0.0.1:50063\", \"x:0\"]"),
      "t.txtpb");
  ASSERT_FALSE(space.ok());
  EXPECT_THAT(std::string(space.status().message()),
              HasSubstr(": devices[1].agents[1]: \"x:0\" has no port"));
}

TEST(SearchSpaceTest, ControlCharactersAreEscapedToKeepOneLine) {
  absl::StatusOr<SearchSpace> space =
      ParseSearchSpaceText(TinyWith("name: \"phone\"", "name: \"ph\\none\""), "t.txtpb");
  ASSERT_FALSE(space.ok());
  const std::string message(space.status().message());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_THAT(message, HasSubstr("devices[1].name: \"ph\\none\""));
}

TEST(SearchSpaceTest, AgentSharedByTwoClassesIsRejected) {
  absl::StatusOr<SearchSpace> space = ParseSearchSpaceText(
      TinyWith("agents: [\"127.0.0.1:50063\"]", "agents: [\"127.0.0.1:50061\"]"), "t.txtpb");
  ASSERT_FALSE(space.ok());
  EXPECT_THAT(std::string(space.status().message()),
              HasSubstr("devices[1].agents[0]: 127.0.0.1:50061 is "
                        "listed twice"));
}

TEST(SearchSpaceTest, EmptyAndCommentOnlyTextIsAnError) {
  for (const char* text : {"", "  \n\t", "# only a comment\n"}) {
    absl::StatusOr<SearchSpace> space = ParseSearchSpaceText(text, "e.txtpb");
    ASSERT_FALSE(space.ok()) << text;
    EXPECT_THAT(std::string(space.status().message()),
                StartsWith("e.txtpb:1:1: empty search space"));
  }
}

TEST(SearchSpaceTest, MissingFilesAndDirectoriesAreNamed) {
  absl::StatusOr<SearchSpace> missing = LoadSearchSpace("/nonexistent/space.textproto");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              StartsWith("/nonexistent/space.textproto: no such"));
  absl::StatusOr<SearchSpace> directory = LoadSearchSpace(NAS_SEARCH_SPACES_DIR);
  EXPECT_THAT(std::string(directory.status().message()), HasSubstr("is a directory"));
}

TEST(SearchSpaceTest, CheckSearchSpaceReportsPathsWithoutPositions) {
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(SpacePath("tiny.textproto"));
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_TRUE(CheckSearchSpace(*space).ok());
  space->mutable_evolution()->set_population(3);
  EXPECT_EQ(CheckSearchSpace(*space).message(),
            "evolution.population: 3 is below the minimum of 4");
}

TEST(SearchSpaceTest, ReferencesMustBeExpressible) {
  absl::StatusOr<SearchSpace> space =
      ParseSearchSpaceText(TinyWith("max_liv_classes: 3", "max_liv_classes: 1"), "t.txtpb");
  ASSERT_FALSE(space.ok());
  EXPECT_THAT(std::string(space.status().message()),
              HasSubstr(": references[0].spec.layers[2]: a distinct layer configuration beyond "
                        "the space's max_liv_classes (1)"));
}

TEST(SearchSpaceTest, ReferenceOverTheParameterCapNamesTheSpec) {
  SearchSpace space = *LoadSearchSpace(SpacePath("tiny.textproto"));
  ArchSpec* spec = space.mutable_references(0)->mutable_spec();
  spec->set_vocab_size(4'000'000);
  spec->set_d_model(8192);
  EXPECT_THAT(std::string(CheckSearchSpace(space).message()),
              StartsWith("references[0].spec: 33,882,841,152 parameters exceed the cap"));
}

TEST(SearchSpaceTest, FilesNamedInASpaceAreRelativeToIt) {
  EXPECT_EQ(ResolveSpacePath("/spaces/lfm2.textproto", "agent.token"), "/spaces/agent.token");
  EXPECT_EQ(ResolveSpacePath("spaces/lfm2.textproto", "../secrets/t"), "secrets/t");
  EXPECT_EQ(ResolveSpacePath("lfm2.textproto", "agent.token"), "agent.token");
  EXPECT_EQ(ResolveSpacePath("/spaces/lfm2.textproto", "/etc/agent.token"), "/etc/agent.token");
  EXPECT_EQ(ResolveSpacePath("/spaces/lfm2.textproto", ""), "");
}

TEST(SearchSpaceTest, ReferenceLabelsAndRateDefaults) {
  Reference preset;
  preset.set_preset("LFM2-700M");
  EXPECT_EQ(ReferenceLabel(preset), "LFM2-700M");
  preset.set_name("baseline");
  EXPECT_EQ(ReferenceLabel(preset), "baseline");
  absl::StatusOr<ArchSpec> spec = ResolveReference(preset);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name(), "baseline");
  EXPECT_EQ(spec->d_model(), 1536u);
  EXPECT_FALSE(ResolveReference(Reference()).ok());

  Evolution evolution;
  EXPECT_DOUBLE_EQ(MutationRate(evolution), kDefaultMutationRate);
  EXPECT_DOUBLE_EQ(CrossoverRate(evolution), kDefaultCrossoverRate);
  evolution.set_crossover_rate(0);  // explicit zero: mutation only
  EXPECT_DOUBLE_EQ(CrossoverRate(evolution), 0);
}

}  // namespace
}  // namespace nas::star
