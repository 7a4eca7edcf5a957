#include "star/search_space_locate.h"

#include <gtest/gtest.h>

#include <string>

#include "proto/search_space.pb.h"

namespace nas::star {
namespace {

using ::google::protobuf::TextFormat;

// 0-based lines:          0
constexpr char kText[] = R"(name: "x"
token_mixers {
  attention {
    num_heads: [4,
      8]
    num_heads: 16
    num_kv_heads: 2   # a comment
  }
}
devices { name: "a" agents: "h:1" }
devices {
  name: "b"
  agents: ["h:2",
           "h:3"]
}
)";

class LocateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TextFormat::Parser parser;
    parser.WriteLocationsTo(&tree_);
    ASSERT_TRUE(parser.ParseFromString(kText, &space_));
  }
  TextLocation Find(const std::string& path) {
    return FieldLocator(kText, SearchSpace::descriptor(), &tree_).Find(path);
  }
  SearchSpace space_;
  TextFormat::ParseInfoTree tree_;
};

TEST_F(LocateTest, ScalarsAndMessages) {
  EXPECT_EQ(Find("name").line, 0);
  EXPECT_EQ(Find("token_mixers").line, 1);
  EXPECT_EQ(Find("token_mixers.attention").line, 2);
  EXPECT_EQ(Find("token_mixers.attention.num_kv_heads[0]").line, 6);
  EXPECT_EQ(Find("token_mixers.attention.num_kv_heads[0]").column, 18);  // the value
}

TEST_F(LocateTest, ListElementsAcrossLinesAndRecords) {
  EXPECT_EQ(Find("token_mixers.attention.num_heads[0]").line, 3);
  EXPECT_EQ(Find("token_mixers.attention.num_heads[1]").line, 4);
  EXPECT_EQ(Find("token_mixers.attention.num_heads[1]").column, 6);
  EXPECT_EQ(Find("token_mixers.attention.num_heads[2]").line, 5);
  EXPECT_EQ(Find("devices[1].agents[1]").line, 13);
  EXPECT_EQ(Find("devices[0].agents[0]").line, 9);
}

TEST_F(LocateTest, MissingFieldsFallBackToTheirAncestor) {
  EXPECT_EQ(Find("devices[1].token_file").line, 10);
  EXPECT_EQ(Find("token_mixers.attention.head_dims").line, 2);
  EXPECT_EQ(Find("token_mixers.short_conv.kernel_sizes[0]").line, 1);
  EXPECT_EQ(Find("devices[5].name").line, 9);  // the first record of the field
  EXPECT_EQ(Find("depth").line, -1);
  EXPECT_EQ(Find("no_such_field").line, -1);
}

TEST(FieldPathAtTest, NamesTheFieldBeingParsed) {
  const std::string text =
      "devices { name: \"a\" }\ndevices {\n  agents: [\"x\"]\n  nme: \"b\"\n}\n";
  // The parser reports an unknown field at the token after its name (3:5, the colon).
  const FieldAt at = FieldPathAt(text, SearchSpace::descriptor(), 3, 5);
  EXPECT_EQ(at.path, "devices[1].nme");
  EXPECT_EQ(at.name, "nme");
  EXPECT_EQ(at.enclosing, "devices[1]");
  EXPECT_EQ(at.previous_token.line, 3);
  EXPECT_EQ(at.previous_token.column, 2);
  ASSERT_NE(at.message, nullptr);
  EXPECT_EQ(at.message->name(), "DeviceClass");
  EXPECT_EQ(ClosestFieldName(at.message, at.name), "name");
  EXPECT_EQ(ClosestFieldName(at.message, "completely_different"), "");
}

TEST(FieldPathAtTest, ValuesAndListsAreNotFieldNames) {
  const std::string text = "objectives { kind: QUALITY }\nobjectives: [{ kind: SPEED }]\n";
  const FieldAt at = FieldPathAt(text, SearchSpace::descriptor(), 1, 22);
  EXPECT_EQ(at.path, "objectives[1].kind");
}

}  // namespace
}  // namespace nas::star
