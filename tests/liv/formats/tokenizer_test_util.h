// The test vocabulary of the tokenizer tests: control tokens 0..3, the 256 byte tokens
// (byte b is id 4 + b, its text in GPT-2's byte alphabet), eight merges (ids 260..267, in
// rank order) and a user-defined token (268).
#pragma once

#include <string>
#include <vector>

#include "liv/formats/byte_unicode.h"
#include "liv/formats/tokenizer.h"

namespace nas::liv::tokenizer_test {

inline constexpr int32_t kPad = 0;
inline constexpr int32_t kStartOfText = 1;
inline constexpr int32_t kImStart = 2;
inline constexpr int32_t kImEnd = 3;
inline constexpr int32_t kSpaceT = 260;    // "Ġt"
inline constexpr int32_t kHe = 261;        // "he"
inline constexpr int32_t kSpaceThe = 262;  // "Ġthe"
inline constexpr int32_t kIn = 263;        // "in"
inline constexpr int32_t kSpaceA = 264;    // "Ġa"
inline constexpr int32_t kEr = 265;        // "er"
inline constexpr int32_t kTh = 266;        // "th"
inline constexpr int32_t kNewlines = 267;  // "ĊĊ"
inline constexpr int32_t kTool = 268;      // "<|tool|>", user-defined

// The id of byte `c`.
inline int32_t B(unsigned char c) { return 4 + c; }

inline TokenizerVocab TestVocab() {
  TokenizerVocab v;
  v.tokens = {"<|pad|>", "<|startoftext|>", "<|im_start|>", "<|im_end|>"};
  v.token_types = {3, 3, 3, 3};
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(BytesToUnicodeText(std::string(1, static_cast<char>(b))));
    v.token_types.push_back(1);
  }
  v.merges = {"Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "t h", "Ċ Ċ"};
  for (const char* t : {"Ġt", "he", "Ġthe", "in", "Ġa", "er", "th", "ĊĊ"}) {
    v.tokens.push_back(t);
    v.token_types.push_back(1);
  }
  v.tokens.push_back("<|tool|>");
  v.token_types.push_back(4);
  v.bos_id = kStartOfText;
  v.eos_id = kImEnd;
  v.padding_id = kPad;
  v.add_bos = true;
  return v;
}

}  // namespace nas::liv::tokenizer_test
