// GPT-2's byte-level alphabet: every byte 0..255 is shown as one printable Unicode code point
// (printable Latin-1 bytes as themselves, the 68 others as U+0100..U+0143 in byte order), so
// that a byte-level BPE vocabulary can store any byte string as text ("Ġ" is the space byte
// 0x20, "Ċ" is 0x0A). The mapping is a bijection between bytes and these 256 code points.
// Also the strict UTF-8 helpers the tokenizer shares. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nas::liv {

// The code point that shows `byte`.
char32_t ByteToUnicode(uint8_t byte);
// The byte shown by `code_point`, or nullopt for a code point outside the alphabet.
std::optional<uint8_t> UnicodeToByte(char32_t code_point);

// Appends `code_point` (<= U+10FFFF) as UTF-8.
void AppendUtf8(char32_t code_point, std::string& out);

// `bytes` shown in the alphabet: each byte becomes ByteToUnicode(byte) in UTF-8.
std::string BytesToUnicodeText(std::string_view bytes);

// One strictly decoded UTF-8 sequence at the start of `text` (non-empty): its code point
// and length. Overlong forms, surrogates (U+D800..U+DFFF), code points above U+10FFFF,
// truncated sequences and stray continuation bytes are not sequences: they decode as one
// byte with `valid` false (code point = the byte).
struct Utf8Char {
  char32_t code_point;
  size_t length;
  bool valid;
};
Utf8Char DecodeUtf8(std::string_view text);

}  // namespace nas::liv
