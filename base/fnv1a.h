// FNV-1a with a 128-bit state (the FNV authors' offset basis and prime): a fast,
// dependency-free content hash for identities that are not adversarial (canonical
// architecture bytes, protocol fingerprints, GGUF file fingerprints). Incremental: feed the
// bytes in pieces with Update, read the digest as 32 lowercase hex digits with Hex.
// Header-only, so that every library (liv's formats included) can use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nas {

class Fnv1a128 {
 public:
  void Update(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      hash_ ^= bytes[i];
      hash_ *= kPrime;
    }
  }
  void Update(std::string_view bytes) { Update(bytes.data(), bytes.size()); }

  std::string Hex() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(32, '0');
    unsigned __int128 h = hash_;
    for (int i = 31; i >= 0; --i) {
      out[i] = kHex[static_cast<unsigned>(h & 0xf)];
      h >>= 4;
    }
    return out;
  }

 private:
  static constexpr unsigned __int128 kPrime = (static_cast<unsigned __int128>(1) << 88) | 0x13b;
  unsigned __int128 hash_ =
      (static_cast<unsigned __int128>(0x6c62272e07bb0142ull) << 64) | 0x62b821756295c58dull;
};

inline std::string Fnv1a128Hex(std::string_view bytes) {
  Fnv1a128 hash;
  hash.Update(bytes);
  return hash.Hex();
}

}  // namespace nas
