#include "liv/formats/pretokenizer.h"

#include <cstddef>

#include "liv/formats/byte_unicode.h"

namespace nas::liv {
namespace {

struct Range {
  char32_t first;
  char32_t last;
};

template <size_t N>
bool InRanges(char32_t cp, const Range (&ranges)[N]) {
  for (const Range& r : ranges) {
    if (cp >= r.first && cp <= r.last) return true;
  }
  return false;
}

constexpr Range kWhitespace[] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},     {0xA0, 0xA0},     {0x1680, 0x1680},
    {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}};
constexpr Range kNumber[] = {{'0', '9'},     {0xB2, 0xB3},   {0xB9, 0xB9},   {0xBC, 0xBE},
                             {0x660, 0x669}, {0x6F0, 0x6F9}, {0x966, 0x96F}, {0xFF10, 0xFF19}};
constexpr Range kOther[] = {
    {0x80, 0xA9},     {0xAB, 0xB4},     {0xB6, 0xB9},     {0xBB, 0xBF},       {0xD7, 0xD7},
    {0xF7, 0xF7},     {0x300, 0x36F},   {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},   {0x2000, 0x2BFF},
    {0x3000, 0x303F}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFE30, 0xFE4F},   {0xFF00, 0xFF0F},
    {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65}, {0x1F000, 0x1FAFF}, {0xE0000, 0xE01EF}};

struct Char {
  char32_t cp;
  size_t offset;  // byte offset in the text
  CharClass cls;
};

char32_t Lower(char32_t cp) { return (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp; }

// Length in chars of a contraction at `i` ('s 't 're 've 'm 'll 'd, any case), else 0.
size_t Contraction(const std::vector<Char>& c, size_t i) {
  if (c[i].cp != '\'' || i + 1 >= c.size()) return 0;
  const char32_t a = Lower(c[i + 1].cp);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (i + 2 >= c.size()) return 0;
  const char32_t b = Lower(c[i + 2].cp);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

bool IsNewline(char32_t cp) { return cp == '\r' || cp == '\n'; }

// The end (exclusive, in chars) of the word starting at `i`.
size_t WordEnd(const std::vector<Char>& c, size_t i) {
  const size_t n = c.size();
  const auto is = [&](size_t k, CharClass cls) { return k < n && c[k].cls == cls; };
  if (size_t len = Contraction(c, i); len > 0) return i + len;
  // [^\r\n\p{L}\p{N}]?\p{L}+
  {
    size_t j = i;
    if (!is(j, CharClass::kLetter) && !is(j, CharClass::kNumber) && !IsNewline(c[j].cp)) ++j;
    if (is(j, CharClass::kLetter)) {
      while (is(j, CharClass::kLetter)) ++j;
      return j;
    }
  }
  // \p{N}{1,3}
  if (is(i, CharClass::kNumber)) {
    size_t j = i;
    while (j < i + 3 && is(j, CharClass::kNumber)) ++j;
    return j;
  }
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  {
    size_t j = i;
    if (c[j].cp == ' ') ++j;
    if (is(j, CharClass::kOther)) {
      while (is(j, CharClass::kOther)) ++j;
      while (j < n && IsNewline(c[j].cp)) ++j;
      return j;
    }
  }
  // Only whitespace is left at `i`.
  size_t run_end = i;
  while (is(run_end, CharClass::kWhitespace)) ++run_end;
  // \s*[\r\n]+ : up to the last newline of the run.
  for (size_t k = run_end; k > i; --k) {
    if (IsNewline(c[k - 1].cp)) return k;
  }
  // \s+(?!\S) : the run, less its last char when a non-space follows it.
  if (run_end == n) return run_end;
  if (run_end - i >= 2) return run_end - 1;
  // \s+
  return run_end;
}

}  // namespace

CharClass ClassifyCodePoint(char32_t cp) {
  if (cp == kInvalidCodePoint) return CharClass::kOther;
  if (InRanges(cp, kWhitespace)) return CharClass::kWhitespace;
  if (InRanges(cp, kNumber)) return CharClass::kNumber;
  if (cp < 0x80) {
    const bool letter = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return letter ? CharClass::kLetter : CharClass::kOther;
  }
  if (InRanges(cp, kOther)) return CharClass::kOther;
  return CharClass::kLetter;
}

std::vector<std::string_view> PreTokenize(std::string_view text) {
  std::vector<Char> chars;
  chars.reserve(text.size());
  for (size_t offset = 0; offset < text.size();) {
    const Utf8Char u = DecodeUtf8(text.substr(offset));
    const char32_t cp = u.valid ? u.code_point : kInvalidCodePoint;
    chars.push_back({cp, offset, ClassifyCodePoint(cp)});
    offset += u.length;
  }
  std::vector<std::string_view> words;
  for (size_t i = 0; i < chars.size();) {
    const size_t end = WordEnd(chars, i);
    const size_t begin_byte = chars[i].offset;
    const size_t end_byte = end < chars.size() ? chars[end].offset : text.size();
    words.push_back(text.substr(begin_byte, end_byte - begin_byte));
    i = end;
  }
  return words;
}

}  // namespace nas::liv
