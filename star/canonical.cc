#include "star/canonical.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cstdint>

namespace nas::star {

ArchSpec CanonicalArchSpec(const ArchSpec& spec) {
  ArchSpec canonical = spec;
  canonical.clear_name();
  canonical.clear_context_length();
  canonical.DiscardUnknownFields();
  return canonical;
}

std::string CanonicalBytes(const ArchSpec& spec) {
  std::string out(kCanonicalVersion, sizeof(kCanonicalVersion));  // with its NUL
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    CanonicalArchSpec(spec).SerializeToCodedStream(&coded);
  }  // the coded stream trims `out` to what was written when it goes
  return out;
}

std::string CanonicalHash(const ArchSpec& spec) { return Fnv1a128Hex(CanonicalBytes(spec)); }

bool SameArchitecture(const ArchSpec& a, const ArchSpec& b) {
  return CanonicalBytes(a) == CanonicalBytes(b);
}

std::string Fnv1a128Hex(absl::string_view bytes) {
  using U128 = unsigned __int128;
  U128 hash = (U128{0x6c62272e07bb0142ull} << 64) | 0x62b821756295c58dull;
  const U128 prime = (U128{1} << 88) | 0x13b;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= prime;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i) {
    out[i] = kHex[static_cast<unsigned>(hash & 0xf)];
    hash >>= 4;
  }
  return out;
}

}  // namespace nas::star
