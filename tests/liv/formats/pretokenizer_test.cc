// The hand-written LLaMA-3-style pre-tokenizer: exact word splits for each alternative of
// the pattern (pretokenizer.h), character classes, and that words always cover the text.

#include "liv/formats/pretokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace nas::liv {
namespace {

using ::testing::ElementsAre;

TEST(PreTokenizeTest, SplitsLikeTheLlama3Pattern) {
  EXPECT_THAT(PreTokenize(""), ElementsAre());
  EXPECT_THAT(PreTokenize("Hello world"), ElementsAre("Hello", " world"));
  EXPECT_THAT(PreTokenize("I'm don't WE'LL you've"),
              ElementsAre("I", "'m", " don", "'t", " WE", "'LL", " you", "'ve"));
  EXPECT_THAT(PreTokenize("12345 6"), ElementsAre("123", "45", " ", "6"));
  EXPECT_THAT(PreTokenize("a  b"), ElementsAre("a", " ", " b"));
  EXPECT_THAT(PreTokenize("x\n\n  y"), ElementsAre("x", "\n\n", " ", " y"));
  EXPECT_THAT(PreTokenize("foo!!\n bar"), ElementsAre("foo", "!!\n", " bar"));
  EXPECT_THAT(PreTokenize("hi ?! 3.5"), ElementsAre("hi", " ?!", " ", "3", ".", "5"));
  EXPECT_THAT(PreTokenize("end  "), ElementsAre("end", "  "));
  EXPECT_THAT(PreTokenize("\t\tx"), ElementsAre("\t", "\tx"));
  EXPECT_THAT(PreTokenize("a \r\n b"), ElementsAre("a", " \r\n", " b"));
  EXPECT_THAT(PreTokenize("$hello (world)"), ElementsAre("$hello", " (", "world", ")"));
  EXPECT_THAT(PreTokenize("<|im_start|>"), ElementsAre("<|", "im", "_start", "|>"));
}

TEST(PreTokenizeTest, HandlesNonAsciiAndInvalidBytes) {
  // CJK and kana are letters.
  EXPECT_THAT(PreTokenize("\xe6\x97\xa5\xe6\x9c\xac \xe3\x83\x86\xe3\x82\xad"),
              ElementsAre("\xe6\x97\xa5\xe6\x9c\xac", " \xe3\x83\x86\xe3\x82\xad"));
  // A combining mark is not a letter: it ends the word.
  EXPECT_THAT(PreTokenize("cafe\xcc\x81s"), ElementsAre("cafe", "\xcc\x81s"));
  // Invalid bytes are "other", one code point each.
  EXPECT_THAT(PreTokenize("ab\xff\xfe"
                          "cd"),
              ElementsAre("ab", "\xff\xfe", "cd"));
  // An emoji is "other"; a non-breaking space is whitespace.
  EXPECT_THAT(PreTokenize("hi \xf0\x9f\x91\x8b\xc2\xa0ok"),
              ElementsAre("hi", " \xf0\x9f\x91\x8b", "\xc2\xa0ok"));
  // Arabic-Indic digits are numbers, in runs of up to three.
  EXPECT_THAT(PreTokenize("\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4"),
              ElementsAre("\xd9\xa1\xd9\xa2\xd9\xa3", "\xd9\xa4"));
}

TEST(PreTokenizeTest, ClassifiesCodePoints) {
  EXPECT_EQ(ClassifyCodePoint('a'), CharClass::kLetter);
  EXPECT_EQ(ClassifyCodePoint('7'), CharClass::kNumber);
  EXPECT_EQ(ClassifyCodePoint('\n'), CharClass::kWhitespace);
  EXPECT_EQ(ClassifyCodePoint('_'), CharClass::kOther);
  EXPECT_EQ(ClassifyCodePoint(0xE9), CharClass::kLetter);  // e acute
  EXPECT_EQ(ClassifyCodePoint(0xB5), CharClass::kLetter);  // micro sign
  EXPECT_EQ(ClassifyCodePoint(0xD7), CharClass::kOther);   // multiplication sign
  EXPECT_EQ(ClassifyCodePoint(0x3000), CharClass::kWhitespace);
  EXPECT_EQ(ClassifyCodePoint(0x200D), CharClass::kOther);   // ZWJ
  EXPECT_EQ(ClassifyCodePoint(0x4E2D), CharClass::kLetter);  // CJK
  EXPECT_EQ(ClassifyCodePoint(0x1F600), CharClass::kOther);  // emoji
  EXPECT_EQ(ClassifyCodePoint(kInvalidCodePoint), CharClass::kOther);
}

TEST(PreTokenizeTest, WordsCoverRandomBytesExactly) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::string joined;
    for (std::string_view w : PreTokenize(s)) {
      ASSERT_FALSE(w.empty());
      joined += w;
    }
    EXPECT_EQ(joined, s);
  }
}

}  // namespace
}  // namespace nas::liv
