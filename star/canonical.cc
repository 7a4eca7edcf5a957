#include "star/canonical.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cstdint>

#include "base/fnv1a.h"

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

}  // namespace nas::star
