#include "liv/formats/token_decoder.h"

#include <utility>

#include "base/status_macros.h"

namespace nas::liv {
namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// The sequence length a lead byte announces (2..4), or 0 for a byte that cannot lead one.
size_t LeadLength(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

// Whether `second` may follow `lead` in a valid sequence (no overlongs, surrogates, or code
// points above U+10FFFF), so that a prefix which can never complete is not held.
bool ValidSecond(uint8_t lead, uint8_t second) {
  if (!IsContinuation(second)) return false;
  if (lead == 0xE0) return second >= 0xA0;
  if (lead == 0xED) return second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90;
  if (lead == 0xF4) return second <= 0x8F;
  return true;
}

}  // namespace

size_t IncompleteUtf8Suffix(std::string_view bytes) {
  const size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto lead = static_cast<uint8_t>(bytes[n - back]);
    if (IsContinuation(lead)) continue;
    const size_t need = LeadLength(lead);
    if (need <= back) return 0;  // ASCII, invalid, or already complete
    for (size_t k = n - back + 1; k < n; ++k) {
      const auto b = static_cast<uint8_t>(bytes[k]);
      if (k == n - back + 1 ? !ValidSecond(lead, b) : !IsContinuation(b)) return 0;
    }
    return back;
  }
  return 0;
}

absl::StatusOr<std::string> TokenDecoder::Push(int32_t id) {
  NAS_ASSIGN_OR_RETURN(std::string_view bytes, tokenizer_->TokenBytes(id, options_));
  pending_.append(bytes);
  const size_t hold = IncompleteUtf8Suffix(pending_);
  std::string ready = pending_.substr(0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return ready;
}

std::string TokenDecoder::Finish() { return std::exchange(pending_, std::string()); }

}  // namespace nas::liv
