// The streaming decoder: an emoji split over byte tokens comes out once, whole; bytes that
// can never complete are not held; the outputs always concatenate to Tokenizer::Decode.

#include "liv/formats/token_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "liv/formats/byte_unicode.h"
#include "tests/liv/formats/tokenizer_test_util.h"

namespace nas::liv {
namespace {

using namespace tokenizer_test;  // NOLINT(build/namespaces): the test vocabulary's ids
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Tokenizer MakeTokenizer() {
  auto t = Tokenizer::Create(TestVocab());
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

std::vector<std::string> PushAll(TokenDecoder& decoder, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) {
    auto piece = decoder.Push(id);
    EXPECT_TRUE(piece.ok()) << piece.status();
    out.push_back(piece.value_or(""));
  }
  return out;
}

TEST(TokenDecoderTest, HoldsAnEmojiUntilItIsComplete) {
  const Tokenizer t = MakeTokenizer();
  const std::string text = "a\xf0\x9f\x91\x8b the";  // "a👋 the"
  const std::vector<int32_t> ids = t.Encode(text);
  ASSERT_THAT(ids, ElementsAre(B('a'), B(0xF0), B(0x9F), B(0x91), B(0x8B), kSpaceThe));
  TokenDecoder decoder(t);
  EXPECT_THAT(PushAll(decoder, ids), ElementsAre("a", "", "", "", "\xf0\x9f\x91\x8b", " the"));
  EXPECT_EQ(decoder.Finish(), "");
}

TEST(TokenDecoderTest, ReturnsBytesThatCanNeverCompleteAtOnce) {
  const Tokenizer t = MakeTokenizer();
  TokenDecoder decoder(t);
  EXPECT_THAT(PushAll(decoder, {B(0xFF), B(0x80), B(0xC0), B(0xE0), B(0x80), B(0xC3), B('x')}),
              ElementsAre("\xff", "\x80", "\xc0", "", "\xe0\x80", "", "\xc3x"));
  // A truncated sequence at the end comes out of Finish().
  EXPECT_THAT(PushAll(decoder, {B(0xE2), B(0x82)}), ElementsAre("", ""));
  EXPECT_EQ(decoder.pending(), "\xe2\x82");
  EXPECT_EQ(decoder.Finish(), "\xe2\x82");
  EXPECT_EQ(decoder.pending(), "");
}

TEST(TokenDecoderTest, ControlTokensFollowTheOptions) {
  const Tokenizer t = MakeTokenizer();
  TokenDecoder shown(t);
  EXPECT_THAT(PushAll(shown, {kImStart, B('h'), kImEnd}),
              ElementsAre("<|im_start|>", "h", "<|im_end|>"));
  TokenDecoder skipped(t, {.skip_control = true});
  EXPECT_THAT(PushAll(skipped, {kImStart, B('h'), kImEnd}), ElementsAre("", "h", ""));
}

TEST(TokenDecoderTest, RejectsIdsOutOfRangeAndKeepsItsState) {
  const Tokenizer t = MakeTokenizer();
  TokenDecoder decoder(t);
  ASSERT_TRUE(decoder.Push(B(0xC3)).ok());
  auto bad = decoder.Push(269);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(bad.status().message(), HasSubstr("token id 269"));
  EXPECT_EQ(*decoder.Push(B(0xA9)), "\xc3\xa9");
}

bool IsValidUtf8(std::string_view s) {
  while (!s.empty()) {
    const Utf8Char c = DecodeUtf8(s);
    if (!c.valid) return false;
    s.remove_prefix(c.length);
  }
  return true;
}

TEST(TokenDecoderTest, ValidTextStreamsAsValidPieces) {
  const Tokenizer t = MakeTokenizer();
  const std::string text =
      "ð©âð» æ¥æ¬ cafÃ© "
      "ð«ð· the end";
  TokenDecoder decoder(t);
  std::string streamed;
  for (const std::string& piece : PushAll(decoder, t.Encode(text))) {
    EXPECT_TRUE(IsValidUtf8(piece)) << testing::PrintToString(piece);
    streamed += piece;
  }
  EXPECT_EQ(decoder.Finish(), "");
  EXPECT_EQ(streamed, text);
}

TEST(TokenDecoderTest, IncompleteSuffixLengths) {
  EXPECT_EQ(IncompleteUtf8Suffix(""), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("abc"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xc3"), 1u);
  EXPECT_EQ(IncompleteUtf8Suffix("\xc3\xa9"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("\xe2\x82"), 2u);
  EXPECT_EQ(IncompleteUtf8Suffix("\xf0\x9f\x91"), 3u);
  EXPECT_EQ(IncompleteUtf8Suffix("\xf0\x9f\x91\x8b"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("\xe0\x80"), 0u);  // overlong
  EXPECT_EQ(IncompleteUtf8Suffix("\xed\xa0"), 0u);  // surrogate
  EXPECT_EQ(IncompleteUtf8Suffix("\xf4\x90"), 0u);  // above U+10FFFF
  EXPECT_EQ(IncompleteUtf8Suffix("\xc3\x41"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("\x80\x80\x80"), 0u);
}

TEST(TokenDecoderTest, OutputsConcatenateToDecodeForRandomIds) {
  const Tokenizer t = MakeTokenizer();
  std::mt19937_64 rng(99);
  for (int i = 0; i < 500; ++i) {
    std::vector<int32_t> ids(rng() % 30);
    for (int32_t& id : ids) id = static_cast<int32_t>(rng() % t.vocab_size());
    for (bool skip : {false, true}) {
      TokenDecoder decoder(t, {.skip_control = skip});
      std::string streamed;
      for (const std::string& piece : PushAll(decoder, ids)) streamed += piece;
      streamed += decoder.Finish();
      EXPECT_EQ(streamed, *t.Decode(ids, {.skip_control = skip}));
    }
  }
}

}  // namespace
}  // namespace nas::liv
