#include "star/rng.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/splitmix64.h"

namespace nas::star {
namespace {

constexpr std::string_view kPrefix = "xoshiro256**";

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& word : s_) word = SplitMix64Next(&seed);
  // splitmix64 is a bijection of its counter, so four consecutive outputs are never all
  // zero; the check documents the invariant xoshiro needs.
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t n) {
  return UniformBelow(n, [this] { return Next(); });
}

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(Next());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + Below(span + 1));
}

double Rng::UniformDouble() { return UnitInterval(Next()); }

double Rng::UniformDouble(double lo, double hi) {
  const double x = lo + (hi - lo) * UniformDouble();
  return x < hi ? x : lo;  // rounding can reach hi; keep the interval half-open
}

bool Rng::Bernoulli(double p) { return UniformDouble() < p; }

std::string Rng::SaveState() const {
  std::string out(kPrefix);
  out.reserve(kPrefix.size() + 4 * 17);
  char word[17];
  for (uint64_t w : s_) {
    std::snprintf(word, sizeof(word), "%016llx", static_cast<unsigned long long>(w));
    out += ':';
    out += word;
  }
  return out;
}

absl::StatusOr<Rng> Rng::Restore(std::string_view state) {
  // Debian's absl has its own string_view type, hence the manual parsing.
  const std::string text(state);
  const std::string prefix = std::string(kPrefix) + ":";
  if (text.compare(0, prefix.size(), prefix) != 0 ||
      std::count(text.begin(), text.end(), ':') != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RNG state must be \"", std::string(kPrefix), ":w0:w1:w2:w3\" (hex words), got \"",
        text, "\""));
  }
  Rng rng;
  size_t pos = prefix.size();
  for (int i = 0; i < 4; ++i) {
    const size_t end = std::min(text.find(':', pos), text.size());
    const std::string hex = text.substr(pos, end - pos);
    pos = end + 1;
    if (hex.empty() || hex.size() > 16 ||
        hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("RNG state word ", i, " is not 1-16 hex digits: \"", hex, "\""));
    }
    uint64_t value = 0;
    for (char c : hex) {
      const int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
      value = (value << 4) | static_cast<uint64_t>(digit);
    }
    rng.s_[i] = value;
  }
  if ((rng.s_[0] | rng.s_[1] | rng.s_[2] | rng.s_[3]) == 0) {
    return absl::InvalidArgumentError("RNG state is all zero (xoshiro would emit only zeros)");
  }
  return rng;
}

}  // namespace nas::star
