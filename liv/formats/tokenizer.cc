#include "liv/formats/tokenizer.h"

#include <algorithm>
#include <cstddef>
#include <queue>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/byte_unicode.h"
#include "liv/formats/pretokenizer.h"

namespace nas::liv {
namespace {

absl::Status CheckId(const char* key, int32_t id, size_t vocab_size) {
  if (id < 0 || static_cast<size_t>(id) >= vocab_size) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, " = ", id, " is out of range (", vocab_size, " tokens)"));
  }
  return absl::OkStatus();
}

// "<0xHH>" -> the byte HH (SentencePiece-style byte tokens).
std::optional<uint8_t> HexByteToken(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return std::nullopt;
  int value = 0;
  for (char c : text.substr(3, 2)) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    value = value * 16 + digit;
  }
  return static_cast<uint8_t>(value);
}

// The bytes a byte-alphabet text shows; a code point outside the alphabet is kept as it is.
std::string UnicodeTextToBytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const Utf8Char u = DecodeUtf8(text);
    const std::optional<uint8_t> byte = u.valid ? UnicodeToByte(u.code_point) : std::nullopt;
    if (byte.has_value()) {
      out.push_back(static_cast<char>(*byte));
    } else {
      out.append(text.substr(0, u.length));
    }
    text.remove_prefix(u.length);
  }
  return out;
}

}  // namespace

absl::StatusOr<Tokenizer> Tokenizer::Create(TokenizerVocab vocab) {
  Tokenizer tokenizer(std::move(vocab));
  NAS_RETURN_IF_ERROR(tokenizer.Build());
  return tokenizer;
}

absl::Status Tokenizer::Build() {
  const std::vector<std::string>& tokens = vocab_.tokens;
  const size_t n = tokens.size();
  if (n == 0) return absl::InvalidArgumentError("tokenizer.ggml.tokens is empty");
  if (n > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError("tokenizer.ggml.tokens has more than 2^31-1 tokens");
  }
  if (vocab_.token_types.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer.ggml.token_type has ",
                                                   vocab_.token_types.size(),
                                                   " entries but tokenizer.ggml.tokens has ", n));
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t type = vocab_.token_types[i];
    if (type < 1 || type > 6) {
      return absl::InvalidArgumentError(absl::StrCat("tokenizer.ggml.token_type[", i, "] = ", type,
                                                     " is not a token type (1..6)"));
    }
  }
  token_ids_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = token_ids_.emplace(tokens[i], static_cast<int32_t>(i));
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer.ggml.tokens[", i, "] \"", absl::CEscape(tokens[i]),
                       "\" duplicates tokenizer.ggml.tokens[", it->second, "]"));
    }
  }
  NAS_RETURN_IF_ERROR(CheckId("tokenizer.ggml.bos_token_id", vocab_.bos_id, n));
  NAS_RETURN_IF_ERROR(CheckId("tokenizer.ggml.eos_token_id", vocab_.eos_id, n));
  if (vocab_.padding_id.has_value()) {
    NAS_RETURN_IF_ERROR(CheckId("tokenizer.ggml.padding_token_id", *vocab_.padding_id, n));
  }

  merge_ranks_.reserve(vocab_.merges.size());
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string& merge = vocab_.merges[rank];
    const size_t space = merge.find(' ', 1);
    const auto where = [&] {
      return absl::StrCat("tokenizer.ggml.merges[", rank, "] \"", absl::CEscape(merge), "\"");
    };
    if (space == std::string::npos || space + 1 == merge.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), " is not two tokens separated by a space"));
    }
    for (std::string_view side :
         {std::string_view(merge).substr(0, space), std::string_view(merge).substr(space + 1)}) {
      if (!token_ids_.contains(std::string(side))) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), ": \"", absl::CEscape(std::string(side)), "\" is not a token"));
      }
    }
    merge_ranks_.emplace(merge, static_cast<int32_t>(rank));
  }

  for (int b = 0; b < 256; ++b) {
    const std::string text = BytesToUnicodeText(std::string(1, static_cast<char>(b)));
    auto it = token_ids_.find(text);
    if (it == token_ids_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer.ggml.tokens has no token for byte 0x",
                       absl::Hex(b, absl::kZeroPad2), " (\"", text, "\")"));
    }
    byte_tokens_[b] = it->second;
  }

  token_bytes_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    switch (static_cast<TokenType>(vocab_.token_types[i])) {
      case TokenType::kNormal:
        token_bytes_[i] = UnicodeTextToBytes(tokens[i]);
        break;
      case TokenType::kByte:
        if (auto byte = HexByteToken(tokens[i]); byte.has_value()) {
          token_bytes_[i] = std::string(1, static_cast<char>(*byte));
        } else {
          token_bytes_[i] = UnicodeTextToBytes(tokens[i]);
        }
        break;
      default:
        token_bytes_[i] = tokens[i];
        if ((type(static_cast<int32_t>(i)) == TokenType::kControl ||
             type(static_cast<int32_t>(i)) == TokenType::kUserDefined) &&
            !tokens[i].empty()) {
          specials_.push_back(static_cast<int32_t>(i));
          special_first_byte_[static_cast<uint8_t>(tokens[i][0])] = true;
        }
        break;
    }
  }
  std::stable_sort(specials_.begin(), specials_.end(),
                   [&](int32_t a, int32_t b) { return tokens[a].size() > tokens[b].size(); });
  return absl::OkStatus();
}

std::optional<int32_t> Tokenizer::TokenId(std::string_view text) const {
  auto it = token_ids_.find(std::string(text));
  if (it == token_ids_.end()) return std::nullopt;
  return it->second;
}

void Tokenizer::EncodeWord(std::string_view word, std::vector<int32_t>& out) const {
  struct Symbol {
    std::string text;  // in the byte alphabet
    size_t begin;      // byte range in `word`
    size_t end;
    int prev;
    int next;
  };
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    std::string text;
    AppendUtf8(ByteToUnicode(static_cast<uint8_t>(word[i])), text);
    symbols.push_back({std::move(text), i, i + 1, static_cast<int>(i) - 1,
                       i + 1 < word.size() ? static_cast<int>(i) + 1 : -1});
  }
  struct Bigram {
    int32_t rank;
    int left;
    int right;
    size_t size;  // text size of the merged piece, to detect stale entries
  };
  const auto worse = [](const Bigram& a, const Bigram& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
  const auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    std::string key = symbols[left].text;
    key.push_back(' ');
    key += symbols[right].text;
    auto it = merge_ranks_.find(key);
    if (it == merge_ranks_.end()) return;
    queue.push({it->second, left, right, symbols[left].text.size() + symbols[right].text.size()});
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    try_add(static_cast<int>(i), static_cast<int>(i) + 1);
  }
  while (!queue.empty()) {
    const Bigram bigram = queue.top();
    queue.pop();
    Symbol& left = symbols[bigram.left];
    Symbol& right = symbols[bigram.right];
    // Stale: one side was merged away or has grown since the bigram was queued.
    if (left.text.empty() || right.text.empty() || left.next != bigram.right ||
        left.text.size() + right.text.size() != bigram.size) {
      continue;
    }
    left.text += right.text;
    left.end = right.end;
    right.text.clear();
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    try_add(left.prev, bigram.left);
    try_add(bigram.left, left.next);
  }
  for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next) {
    auto it = token_ids_.find(symbols[i].text);
    if (it != token_ids_.end()) {
      out.push_back(it->second);
    } else {
      for (size_t k = symbols[i].begin; k < symbols[i].end; ++k) {
        out.push_back(byte_tokens_[static_cast<uint8_t>(word[k])]);
      }
    }
  }
}

void Tokenizer::EncodeText(std::string_view text, std::vector<int32_t>& out) const {
  for (std::string_view word : PreTokenize(text)) EncodeWord(word, out);
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text, EncodeOptions options) const {
  std::vector<int32_t> out;
  if (options.add_bos) out.push_back(vocab_.bos_id);
  size_t plain_begin = 0;
  for (size_t pos = 0; pos < text.size();) {
    int32_t match = -1;
    if (!special_first_byte_[static_cast<uint8_t>(text[pos])]) {
      ++pos;
      continue;
    }
    for (int32_t id : specials_) {
      if (type(id) == TokenType::kControl && !options.parse_special) continue;
      if (text.substr(pos).starts_with(vocab_.tokens[id])) {
        match = id;
        break;
      }
    }
    if (match < 0) {
      ++pos;
      continue;
    }
    EncodeText(text.substr(plain_begin, pos - plain_begin), out);
    out.push_back(match);
    pos += vocab_.tokens[match].size();
    plain_begin = pos;
  }
  EncodeText(text.substr(plain_begin), out);
  return out;
}

absl::StatusOr<std::string_view> Tokenizer::TokenBytes(int32_t id, DecodeOptions options) const {
  if (id < 0 || id >= vocab_size()) {
    return absl::OutOfRangeError(
        absl::StrCat("token id ", id, " is out of range (", vocab_size(), " tokens)"));
  }
  if (options.skip_control && type(id) == TokenType::kControl) return std::string_view();
  return std::string_view(token_bytes_[id]);
}

absl::StatusOr<std::string> Tokenizer::Decode(const std::vector<int32_t>& ids,
                                              DecodeOptions options) const {
  std::string out;
  for (int32_t id : ids) {
    NAS_ASSIGN_OR_RETURN(std::string_view bytes, TokenBytes(id, options));
    out.append(bytes);
  }
  return out;
}

}  // namespace nas::liv
