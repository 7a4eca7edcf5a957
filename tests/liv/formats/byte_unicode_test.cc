// GPT-2's byte alphabet (a bijection with the known anchors Ġ = space, Ċ = newline,
// ĉ = tab) and the strict UTF-8 decoder.

#include "liv/formats/byte_unicode.h"

#include <gtest/gtest.h>

#include <set>

namespace nas::liv {
namespace {

TEST(ByteUnicodeTest, KnownAnchors) {
  EXPECT_EQ(ByteToUnicode('!'), U'!');
  EXPECT_EQ(ByteToUnicode('~'), U'~');
  EXPECT_EQ(ByteToUnicode(0x00), 0x100);
  EXPECT_EQ(ByteToUnicode('\t'), 0x109);  // ĉ
  EXPECT_EQ(ByteToUnicode('\n'), 0x10A);  // Ċ
  EXPECT_EQ(ByteToUnicode(' '), 0x120);   // Ġ
  EXPECT_EQ(ByteToUnicode(0x7F), 0x121);
  EXPECT_EQ(ByteToUnicode(0xA0), 0x142);
  EXPECT_EQ(ByteToUnicode(0xAD), 0x143);
  EXPECT_EQ(ByteToUnicode(0xA1), 0xA1);
  EXPECT_EQ(ByteToUnicode(0xFF), 0xFF);
  EXPECT_EQ(BytesToUnicodeText(" the\n"), "\xc4\xa0the\xc4\x8a");  // "ĠtheĊ"
}

TEST(ByteUnicodeTest, IsABijection) {
  std::set<char32_t> seen;
  for (int b = 0; b < 256; ++b) {
    const char32_t cp = ByteToUnicode(static_cast<uint8_t>(b));
    EXPECT_TRUE(seen.insert(cp).second) << b;
    EXPECT_EQ(UnicodeToByte(cp), b);
  }
  EXPECT_EQ(UnicodeToByte(0x20), std::nullopt);
  EXPECT_EQ(UnicodeToByte(0x144), std::nullopt);
  EXPECT_EQ(UnicodeToByte(0x1F600), std::nullopt);
}

TEST(ByteUnicodeTest, DecodesUtf8Strictly) {
  const auto decode = [](std::string_view s) { return DecodeUtf8(s); };
  Utf8Char c = decode("\xf0\x9f\x91\x8bx");
  EXPECT_EQ(c.code_point, 0x1F44B);
  EXPECT_EQ(c.length, 4u);
  EXPECT_TRUE(c.valid);
  c = decode("\xc3\xa9");
  EXPECT_EQ(c.code_point, 0xE9);
  EXPECT_EQ(c.length, 2u);
  for (std::string_view bad : {"\x80", "\xc0\xaf", "\xc3", "\xe0\x80\xaf", "\xed\xa0\x80",
                               "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3("}) {
    c = decode(bad);
    EXPECT_FALSE(c.valid);
    EXPECT_EQ(c.length, 1u);
    EXPECT_EQ(c.code_point, static_cast<uint8_t>(bad[0]));
  }
  std::string out;
  AppendUtf8(0x10FFFF, out);
  AppendUtf8(0x7FF, out);
  EXPECT_EQ(out, "\xf4\x8f\xbf\xbf\xdf\xbf");
}

}  // namespace
}  // namespace nas::liv
