// The byte-level BPE tokenizer of LFM2 GGUF files (`tokenizer.ggml.model` = "gpt2"), built
// from the GGUF metadata (FromGguf) or directly from a TokenizerVocab (Create).
//
// Encoding: special tokens are cut out first (user-defined tokens always; control tokens
// only with `parse_special`; the longest match wins); the text between them is split into
// words by the pre-tokenizer (pretokenizer.h), each word's bytes are shown in GPT-2's byte
// alphabet (byte_unicode.h) and merged by BPE, lowest merge rank first (leftmost on a tie),
// as llama.cpp does. A merged piece that is not a token falls back to its byte tokens.
// Decoding maps normal and byte tokens back through the byte alphabet, and renders
// control, user-defined, unknown and unused tokens as their text (control tokens may be
// skipped). Invariant, checked at construction: each of the 256 bytes has a token, so
// Decode(Encode(s)) == s for every byte string s, with or without `parse_special` (a
// special token decodes to its text unless control tokens are skipped). Immutable after
// construction; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_value.h"

namespace nas::liv {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// The vocabulary as the GGUF keys hold it.
struct TokenizerVocab {
  std::vector<std::string> tokens;    // tokenizer.ggml.tokens
  std::vector<std::string> merges;    // tokenizer.ggml.merges, "left right", rank order
  std::vector<int32_t> token_types;   // tokenizer.ggml.token_type
  int32_t bos_id = 0;                 // tokenizer.ggml.bos_token_id
  int32_t eos_id = 0;                 // tokenizer.ggml.eos_token_id
  std::optional<int32_t> padding_id;  // tokenizer.ggml.padding_token_id
  bool add_bos = false;               // tokenizer.ggml.add_bos_token
};

struct EncodeOptions {
  bool add_bos = false;        // prepend bos_id
  bool parse_special = false;  // control tokens' text in the input becomes the token
};

struct DecodeOptions {
  bool skip_control = false;  // control tokens render as nothing
};

// The tokenizer.ggml.* keys of `vocab` in the order llama.cpp's converter writes them
// (model "gpt2", pre "lfm2", tokens, token types, merges, BOS/EOS, add_bos, padding when
// set): what FromGguf reads back.
std::vector<GgufKv> TokenizerGgufKeys(const TokenizerVocab& vocab);

// The tokenizer keys for a model of `vocab_size` tokens taken from another file's metadata
// (a published checkpoint's): read and validated as Tokenizer::FromGguf does, written back
// by TokenizerGgufKeys, plus tokenizer.chat_template when present. InvalidArgument giving
// both sizes when the vocabulary's size is not `vocab_size`.
absl::StatusOr<std::vector<GgufKv>> TokenizerKeysFor(const GgufMetadata& from,
                                                     uint32_t vocab_size);

class Tokenizer {
 public:
  // InvalidArgument naming the GGUF key for: an empty vocabulary, duplicate tokens, array
  // lengths that differ, a token type outside 1..6, a merge without a separating space or
  // whose sides are not tokens, an id out of range, or a byte without a token.
  static absl::StatusOr<Tokenizer> Create(TokenizerVocab vocab);
  // Reads the keys above from `metadata`: NotFound / InvalidArgument naming the key when
  // one is missing or has the wrong type (ids may be UINT32 or INT32); Unimplemented when
  // tokenizer.ggml.model is not "gpt2" or tokenizer.ggml.pre is not one this pre-tokenizer
  // implements ("lfm2", "llama-bpe", "llama3"; the key is optional).
  static absl::StatusOr<Tokenizer> FromGguf(const GgufMetadata& metadata);

  std::vector<int32_t> Encode(std::string_view text, EncodeOptions options = {}) const;
  // OutOfRange naming the first id that is not in the vocabulary.
  absl::StatusOr<std::string> Decode(const std::vector<int32_t>& ids,
                                     DecodeOptions options = {}) const;
  // The bytes one token decodes to ("" for a skipped control token); OutOfRange as above.
  absl::StatusOr<std::string_view> TokenBytes(int32_t id, DecodeOptions options = {}) const;

  const TokenizerVocab& vocab() const { return vocab_; }
  int32_t vocab_size() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  int32_t bos_id() const { return vocab_.bos_id; }
  int32_t eos_id() const { return vocab_.eos_id; }
  std::optional<int32_t> padding_id() const { return vocab_.padding_id; }
  bool add_bos() const { return vocab_.add_bos; }
  // `id` must be in [0, vocab_size()).
  TokenType type(int32_t id) const { return static_cast<TokenType>(vocab_.token_types[id]); }
  // nullopt when `text` is not a token (texts are in the byte alphabet: " the" is "Ġthe").
  std::optional<int32_t> TokenId(std::string_view text) const;

 private:
  explicit Tokenizer(TokenizerVocab vocab) : vocab_(std::move(vocab)) {}
  absl::Status Build();
  // Appends the BPE tokens of one pre-tokenized word.
  void EncodeWord(std::string_view word, std::vector<int32_t>& out) const;
  void EncodeText(std::string_view text, std::vector<int32_t>& out) const;

  TokenizerVocab vocab_;
  std::unordered_map<std::string, int32_t> token_ids_;
  // "left right" -> rank.
  std::unordered_map<std::string, int32_t> merge_ranks_;
  int32_t byte_tokens_[256] = {};
  std::vector<std::string> token_bytes_;
  // Ids of control and user-defined tokens, longest text first, and their first bytes.
  std::vector<int32_t> specials_;
  bool special_first_byte_[256] = {};
};

}  // namespace nas::liv
