// The BPE tokenizer on the test vocabulary (tokenizer_test_util.h): exact ids (merges by
// rank, words never merged across), special tokens parsed or not, control tokens decoded or
// skipped, bad ids, and the round trip Decode(Encode(s)) == s over nasty strings and 1,000
// random byte strings.

#include "liv/formats/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "tests/liv/formats/tokenizer_test_util.h"

namespace nas::liv {
namespace {

using namespace tokenizer_test;  // NOLINT(build/namespaces): the test vocabulary's ids
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

Tokenizer MakeTokenizer() {
  auto t = Tokenizer::Create(TestVocab());
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

TEST(TokenizerTest, AccessorsFollowTheVocabulary) {
  const Tokenizer t = MakeTokenizer();
  EXPECT_EQ(t.vocab_size(), 269);
  EXPECT_EQ(t.bos_id(), kStartOfText);
  EXPECT_EQ(t.eos_id(), kImEnd);
  EXPECT_EQ(t.padding_id(), kPad);
  EXPECT_TRUE(t.add_bos());
  EXPECT_EQ(t.type(kImStart), TokenType::kControl);
  EXPECT_EQ(t.type(kTool), TokenType::kUserDefined);
  EXPECT_EQ(t.TokenId("Ġthe"), kSpaceThe);
  EXPECT_EQ(t.TokenId(" the"), std::nullopt);
}

TEST(TokenizerTest, MergesApplyInRankOrder) {
  const Tokenizer t = MakeTokenizer();
  EXPECT_THAT(t.Encode(""), ElementsAre());
  // Ġ t (rank 0), h e (1), then Ġt he (2): one token.
  EXPECT_THAT(t.Encode(" the"), ElementsAre(kSpaceThe));
  // h e (rank 1) beats t h (rank 6); no "t he" merge exists.
  EXPECT_THAT(t.Encode("the"), ElementsAre(B('t'), kHe));
  EXPECT_THAT(t.Encode("in the"), ElementsAre(kIn, kSpaceThe));
  // " other": h e (1) is merged before e r (5), which it consumes.
  EXPECT_THAT(t.Encode(" other"), ElementsAre(B(' '), B('o'), B('t'), kHe, B('r')));
  EXPECT_THAT(t.Encode(" a winner"), ElementsAre(kSpaceA, B(' '), B('w'), kIn, B('n'), kEr));
  EXPECT_THAT(t.Encode("a\n\nb"), ElementsAre(B('a'), kNewlines, B('b')));
  // "12345" is two words, "123" and "45"; "  the" is " " and " the".
  EXPECT_THAT(t.Encode("12345"), ElementsAre(B('1'), B('2'), B('3'), B('4'), B('5')));
  EXPECT_THAT(t.Encode("  the"), ElementsAre(B(' '), kSpaceThe));
  // Merges never cross words: "t" + "he" across "'t he" stays apart.
  EXPECT_THAT(t.Encode("'t he"), ElementsAre(B('\''), B('t'), B(' '), kHe));
}

TEST(TokenizerTest, AddBosPrependsTheBosId) {
  const Tokenizer t = MakeTokenizer();
  EXPECT_THAT(t.Encode(" the", {.add_bos = true}), ElementsAre(kStartOfText, kSpaceThe));
}

TEST(TokenizerTest, ControlTokensAreParsedOnlyWithParseSpecial) {
  const Tokenizer t = MakeTokenizer();
  const std::string text = "<|im_start|>user\nhi<|im_end|>";
  EXPECT_THAT(t.Encode(text, {.parse_special = true}),
              ElementsAre(kImStart, B('u'), B('s'), kEr, B('\n'), B('h'), B('i'), kImEnd));
  // As text: "<|", "im", "_end", "|>".
  EXPECT_THAT(t.Encode("<|im_end|>"), ElementsAre(B('<'), B('|'), B('i'), B('m'), B('_'), B('e'),
                                                  B('n'), B('d'), B('|'), B('>')));
  const std::vector<int32_t> plain = t.Encode(text);
  EXPECT_THAT(plain, Not(Contains(kImStart)));
  EXPECT_THAT(plain, Not(Contains(kImEnd)));
  EXPECT_EQ(*t.Decode(plain), text);
  // Adjacent specials, and a special at both ends.
  EXPECT_THAT(t.Encode("<|startoftext|><|im_start|><|im_end|>", {.parse_special = true}),
              ElementsAre(kStartOfText, kImStart, kImEnd));
}

TEST(TokenizerTest, UserDefinedTokensAreAlwaysParsed) {
  const Tokenizer t = MakeTokenizer();
  EXPECT_THAT(t.Encode(" the<|tool|> the"), ElementsAre(kSpaceThe, kTool, kSpaceThe));
  EXPECT_THAT(t.Encode("<|tool|>", {.parse_special = true}), ElementsAre(kTool));
}

TEST(TokenizerTest, DecodeRendersOrSkipsControlTokens) {
  const Tokenizer t = MakeTokenizer();
  const std::vector<int32_t> ids = {kStartOfText, kImStart,  B('u'), kEr,
                                    B('\n'),      kSpaceThe, kTool,  kImEnd};
  EXPECT_EQ(*t.Decode(ids), "<|startoftext|><|im_start|>uer\n the<|tool|><|im_end|>");
  EXPECT_EQ(*t.Decode(ids, {.skip_control = true}), "uer\n the<|tool|>");
  EXPECT_EQ(*t.TokenBytes(kNewlines), "\n\n");
  EXPECT_EQ(*t.TokenBytes(kImEnd, {.skip_control = true}), "");
}

TEST(TokenizerTest, DecodeRejectsIdsOutOfRange) {
  const Tokenizer t = MakeTokenizer();
  for (int32_t id : {-1, 269, 1 << 30}) {
    auto decoded = t.Decode({kSpaceThe, id});
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_THAT(decoded.status().message(),
                HasSubstr("token id " + std::to_string(id) + " is out of range (269 tokens)"));
  }
}

void ExpectRoundTrip(const Tokenizer& t, const std::string& s) {
  const std::vector<int32_t> ids = t.Encode(s);
  for (int32_t id : ids) {
    ASSERT_GE(id, 4) << "control or pad token in the encoding of \"" << s << "\"";
  }
  auto decoded = t.Decode(ids);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, s);
  // With parse_special, control tokens render as their text, so the round trip holds too;
  // and for text without a control token's text nothing changes.
  const std::vector<int32_t> parsed = t.Encode(s, {.parse_special = true});
  EXPECT_EQ(*t.Decode(parsed), s);
  if (s.find("<|") == std::string::npos) {
    EXPECT_EQ(parsed, ids);
  }
}

TEST(TokenizerTest, RoundTripsNastyStrings) {
  const Tokenizer t = MakeTokenizer();
  const std::vector<std::string> nasty = {
      "",
      std::string("\0", 1),
      std::string("a\0b\0\0", 5),
      "\x80",
      "\xff",
      "\xc3",                      // a lead byte alone
      "\xc3(",                     // a lead byte before ASCII
      "\xc0\xaf",                  // overlong '/'
      "\xe0\x80\xaf",              // overlong '/', 3 bytes
      "\xed\xa0\x80\xed\xb0\x80",  // a surrogate pair encoded as UTF-8 (CESU-8)
      "\xf4\x90\x80\x80",          // above U+10FFFF
      "\xf0\x9f\x91",              // a truncated emoji
      "h\xc3\xa9llo w\xc3\xb6rld",
      "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb",  // woman technologist (ZWJ)
      "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5",  // flags FR JP
      "\xf0\x9f\x91\x8b\xf0\x9f\x8f\xbd",                                  // waving hand, skin tone
      "cafe\xcc\x81 na\xc3\xafve",                                         // combining acute
      "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9"
      "\xe3\x83\x88\xe3\x80\x82",                                                   // Japanese
      "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",  // RTL
      "\xe2\x80\x8f\xe2\x80\xae",                                                   // RLM, RLO
      "\t\ttabs\tand\r\nCRLF\r\n\r\n  \n \n",
      "   leading and trailing   ",
      "I'm don't WE'LL they've 'S",
      "123456789 3.14159 1,000,000",
      "!!!??? ... --- ***\n\n\n",
      "\xc2\xa0nbsp\xe3\x80\x80ideographic space\xe2\x80\xa8line sep",
      "<|im_start|><|im_end|><|startoftext|>",
      "\x01\x02\x7f\x1b[0m",
  };
  for (const std::string& s : nasty) {
    SCOPED_TRACE(testing::PrintToString(s));
    ExpectRoundTrip(t, s);
  }
}

TEST(TokenizerTest, RoundTripsRandomByteStrings) {
  const Tokenizer t = MakeTokenizer();
  std::mt19937_64 rng(20260101);
  // Bytes drawn mostly from the interesting ones (space, newline, ASCII, UTF-8 leads and
  // continuations), sometimes uniformly.
  const std::string pool =
      std::string(" \n\r\tthe in'0123!<|>", 19) + "\xc3\xa9\xf0\x9f\x91\x8b\x80";
  for (int i = 0; i < 1000; ++i) {
    const size_t length = rng() % 65;
    std::string s;
    for (size_t k = 0; k < length; ++k) {
      const uint64_t r = rng();
      s.push_back((r & 1) ? static_cast<char>(r >> 8) : pool[(r >> 8) % pool.size()]);
    }
    SCOPED_TRACE(testing::PrintToString(s));
    ExpectRoundTrip(t, s);
  }
}

TEST(TokenizerTest, EncodesEveryByteWithItsByteToken) {
  const Tokenizer t = MakeTokenizer();
  for (int b = 0; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    EXPECT_THAT(t.Encode(s), ElementsAre(B(static_cast<unsigned char>(b)))) << b;
  }
  std::string all;
  for (int b = 255; b >= 0; --b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(*t.Decode(t.Encode(all)), all);
}

}  // namespace
}  // namespace nas::liv
