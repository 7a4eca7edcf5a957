// The LFM2 chat template against the model card's example, byte for byte, the generation
// prompt, role validation, and its encoding with the test vocabulary (control tokens as
// single ids).

#include "liv/formats/chat_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "liv/formats/tokenizer.h"
#include "tests/liv/formats/tokenizer_test_util.h"

namespace nas::liv {
namespace {

using namespace tokenizer_test;  // NOLINT(build/namespaces): the test vocabulary's ids
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Liquid AI's example conversation, verbatim from the LFM2 chat template documentation
// (https://docs.liquid.ai/lfm/key-concepts/chat-template, "Here's an example
// conversation:"; the LiquidAI/LFM2-350M model card shows the same example). The page shows
// it as a block of lines; the template ends every message with "<|im_end|>\n", so the last
// line ends with its newline too.
constexpr char kModelCardExample[] = R"(<|startoftext|><|im_start|>system
You are a helpful assistant trained by Liquid AI.<|im_end|>
<|im_start|>user
What is C. elegans?<|im_end|>
<|im_start|>assistant
It's a tiny nematode that lives in temperate soil environments.<|im_end|>
)";

// The same page's apply_chat_template(..., add_generation_prompt=True) output.
constexpr char kGenerationPromptExample[] = R"(<|startoftext|><|im_start|>system
You are a helpful assistant.<|im_end|>
<|im_start|>user
What is machine learning?<|im_end|>
<|im_start|>assistant
)";

std::vector<ChatMessage> ModelCardConversation() {
  return {{"system", "You are a helpful assistant trained by Liquid AI."},
          {"user", "What is C. elegans?"},
          {"assistant", "It's a tiny nematode that lives in temperate soil environments."}};
}

TEST(ChatTemplateTest, MatchesTheModelCardExampleByteForByte) {
  auto text = ApplyLfm2ChatTemplate(ModelCardConversation(), /*add_generation_prompt=*/false);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, kModelCardExample);
}

TEST(ChatTemplateTest, AddsTheGenerationPrompt) {
  auto text = ApplyLfm2ChatTemplate(
      {{"system", "You are a helpful assistant."}, {"user", "What is machine learning?"}},
      /*add_generation_prompt=*/true);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, kGenerationPromptExample);
  EXPECT_EQ(*ApplyLfm2ChatTemplate({}, true), "<|startoftext|><|im_start|>assistant\n");
  EXPECT_EQ(*ApplyLfm2ChatTemplate({}, false), "<|startoftext|>");
}

TEST(ChatTemplateTest, AcceptsTheFourRolesAndCopiesContent) {
  auto text = ApplyLfm2ChatTemplate({{"tool", "[{\"x\": 1}]\n\xf0\x9f\x91\x8b"}}, false);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "<|startoftext|><|im_start|>tool\n[{\"x\": 1}]\n\xf0\x9f\x91\x8b<|im_end|>\n");
}

TEST(ChatTemplateTest, RejectsUnknownRoles) {
  for (const char* role : {"bot", "", "User", "system "}) {
    auto text = ApplyLfm2ChatTemplate({{"user", "hi"}, {role, "x"}}, true);
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(text.status().message(),
                HasSubstr(std::string("chat message 1: role \"") + role +
                          "\" is not one of system, user, assistant, tool"));
  }
}

TEST(ChatTemplateTest, EncodesMarkersAsSingleControlTokens) {
  auto tokenizer = Tokenizer::Create(TestVocab());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto text = ApplyLfm2ChatTemplate({{"user", "hi"}}, true);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(tokenizer->Encode(*text, {.parse_special = true}),
              ElementsAre(kStartOfText, kImStart, B('u'), B('s'), kEr, B('\n'), B('h'), B('i'),
                          kImEnd, B('\n'), kImStart, B('a'), B('s'), B('s'), B('i'), B('s'), B('t'),
                          B('a'), B('n'), B('t'), B('\n')));

  const std::vector<int32_t> ids = tokenizer->Encode(kModelCardExample, {.parse_special = true});
  EXPECT_EQ(ids.front(), kStartOfText);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), kStartOfText), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), kImStart), 3);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), kImEnd), 3);
  EXPECT_EQ(*tokenizer->Decode(ids), kModelCardExample);
}

}  // namespace
}  // namespace nas::liv
