// Streaming detokenization: Push() takes one token id at a time and returns the bytes that
// are ready to show, holding back a UTF-8 sequence that is still incomplete (a lead byte
// whose continuation bytes may come with the next tokens), so that a UTF-8 character split
// across tokens (an emoji is often 2-4 byte tokens) is returned once, whole. Bytes that can
// never become valid UTF-8 (a stray continuation byte, 0xC0, 0xFF, ...) are returned as
// they are, not held. Invariant: the concatenation of every Push() result and Finish() is
// exactly Tokenizer::Decode of the same ids. Borrows the tokenizer, which must outlive it.
// Not thread-safe (one decoder per stream).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "liv/formats/tokenizer.h"

namespace nas::liv {

class TokenDecoder {
 public:
  explicit TokenDecoder(const Tokenizer& tokenizer, DecodeOptions options = {})
      : tokenizer_(&tokenizer), options_(options) {}

  // The complete UTF-8 ready after `id`; OutOfRange for an id outside the vocabulary (the
  // decoder is then unchanged).
  absl::StatusOr<std::string> Push(int32_t id);
  // Whatever is held back (an incomplete sequence at the end of the stream), emptied.
  std::string Finish();
  // Bytes held back now.
  const std::string& pending() const { return pending_; }

 private:
  const Tokenizer* tokenizer_;
  DecodeOptions options_;
  std::string pending_;
};

// The length of the longest suffix of `bytes` that is the start of a UTF-8 sequence still
// missing continuation bytes (0..3); such a suffix could become a valid character.
size_t IncompleteUtf8Suffix(std::string_view bytes);

}  // namespace nas::liv
