// The pre-tokenizer of byte-level BPE: splits text into the words that BPE then encodes
// one by one (merges never cross a word boundary). It is a hand-written equivalent of the
// LLaMA-3 pattern that llama.cpp uses for LFM2 (`tokenizer.ggml.pre` = "lfm2"):
//
//   (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3}
//   | ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
//
// tried in that order at each position, each alternative as long as the regex would take it
// (so "  hello" is "␠" + "␠hello", "12345" is "123" + "45", "a\n\n b" is "a" + "\n\n" + " b").
// Code points come from strict UTF-8 (byte_unicode.h); every byte of an invalid sequence is
// its own code point of class "other". Classes, from a small built-in table (not the full
// Unicode database, so rare scripts may split differently from the regex; the bytes are
// always kept, which is all the round trip needs):
//   whitespace: \t \n \v \f \r, space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
//               U+2029, U+202F, U+205F, U+3000;
//   number:     0-9, U+00B2 U+00B3 U+00B9 U+00BC..U+00BE, U+0660..U+0669, U+06F0..U+06F9,
//               U+0966..U+096F, U+FF10..U+FF19;
//   other:      the rest of ASCII, U+0080..U+00BF except U+00AA U+00B5 U+00BA, U+00D7,
//               U+00F7, combining marks (U+0300..U+036F, U+1AB0..U+1AFF, U+1DC0..U+1DFF,
//               U+20D0..U+20FF, U+FE20..U+FE2F), U+2000..U+2BFF (punctuation, symbols,
//               arrows, math, dingbats; ZWJ included), U+3000..U+303F, U+FE00..U+FE0F,
//               U+FE30..U+FE4F, U+FF00..U+FF0F, U+FF1A..U+FF20, U+FF3B..U+FF40,
//               U+FF5B..U+FF65, U+1F000..U+1FAFF (emoji), U+E0000..U+E01EF (tags,
//               variation selectors), invalid bytes;
//   letter:     everything else (Latin, Greek, Cyrillic, Arabic, Hebrew, CJK, kana, ...).
// The words are contiguous and cover `text` exactly. Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace nas::liv {

enum class CharClass { kLetter, kNumber, kWhitespace, kOther };

// The class of one code point (an invalid byte is passed as kInvalidCodePoint).
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;
CharClass ClassifyCodePoint(char32_t code_point);

// The words of `text`, views into it, in order; their concatenation is `text`.
std::vector<std::string_view> PreTokenize(std::string_view text);

}  // namespace nas::liv
