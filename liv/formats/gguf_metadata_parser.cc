// GGUF metadata values: scalars in one memcpy, arrays bounded by the bytes left.

#include "liv/formats/gguf_metadata_parser.h"

#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"

namespace nas::liv {
namespace {

// Calls f(std::type_identity<T>{}) for the C++ type of a non-array tag; false if none.
template <typename F>
bool DispatchScalar(int32_t tag, F&& f) {
  // clang-format off
  switch (static_cast<GgufType>(tag)) {
    case GgufType::kUint8: f(std::type_identity<uint8_t>{}); return true;
    case GgufType::kInt8: f(std::type_identity<int8_t>{}); return true;
    case GgufType::kUint16: f(std::type_identity<uint16_t>{}); return true;
    case GgufType::kInt16: f(std::type_identity<int16_t>{}); return true;
    case GgufType::kUint32: f(std::type_identity<uint32_t>{}); return true;
    case GgufType::kInt32: f(std::type_identity<int32_t>{}); return true;
    case GgufType::kFloat32: f(std::type_identity<float>{}); return true;
    case GgufType::kBool: f(std::type_identity<bool>{}); return true;
    case GgufType::kString: f(std::type_identity<std::string>{}); return true;
    case GgufType::kUint64: f(std::type_identity<uint64_t>{}); return true;
    case GgufType::kInt64: f(std::type_identity<int64_t>{}); return true;
    case GgufType::kFloat64: f(std::type_identity<double>{}); return true;
    case GgufType::kArray: return false;
  }
  // clang-format on
  return false;
}

template <typename T>
absl::Status ReadElement(GgufCursor& cursor, const std::string& what, T* out) {
  if constexpr (std::is_same_v<T, std::string>) {
    return cursor.ReadString(out, what);
  } else if constexpr (std::is_same_v<T, bool>) {
    const uint64_t at = cursor.offset();
    uint8_t byte = 0;
    if (auto s = cursor.Read(&byte, what); !s.ok()) return s;
    if (byte > 1)
      return cursor.Invalid(at, absl::StrCat(what, ": BOOL byte is ", byte, ", not 0 or 1"));
    *out = byte == 1;
    return absl::OkStatus();
  } else {
    return cursor.Read(out, what);
  }
}

template <typename T>
absl::Status ReadArrayElements(GgufCursor& cursor, uint64_t count, const std::string& what,
                               std::vector<T>* out) {
  constexpr uint64_t kMinBytes = std::is_same_v<T, std::string> ? 8 : sizeof(T);
  if (count > cursor.remaining() / kMinBytes) {
    return cursor.PastEnd(cursor.offset(), absl::StrCat(what, " of ", count, " elements"),
                          count > UINT64_MAX / kMinBytes ? UINT64_MAX : count * kMinBytes);
  }
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    out->resize(count);
    return cursor.ReadArray(out->data(), count, what);
  } else {
    out->reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      T element{};
      if (auto s = ReadElement(cursor, absl::StrCat(what, " element ", i), &element); !s.ok()) {
        return s;
      }
      out->push_back(std::move(element));
    }
    return absl::OkStatus();
  }
}

}  // namespace

absl::Status ReadGgufValue(GgufCursor& cursor, int32_t tag, uint64_t tag_offset,
                           std::string_view key, GgufValue* value) {
  const std::string what = absl::StrCat("metadata key '", std::string(key), "'");
  if (tag == static_cast<int32_t>(GgufType::kArray)) {
    const uint64_t element_tag_offset = cursor.offset();
    int32_t element_tag = 0;
    uint64_t count = 0;
    if (auto s = cursor.Read(&element_tag, absl::StrCat(what, " array element type")); !s.ok()) {
      return s;
    }
    if (element_tag == static_cast<int32_t>(GgufType::kArray)) {
      return cursor.Invalid(element_tag_offset,
                            absl::StrCat(what, ": nested arrays are not supported"));
    }
    if (auto s = cursor.Read(&count, absl::StrCat(what, " array count")); !s.ok()) return s;
    absl::Status status;
    GgufArray array;
    const bool known = DispatchScalar(element_tag, [&](auto type) {
      using T = typename decltype(type)::type;
      std::vector<T> elements;
      status = ReadArrayElements(cursor, count, absl::StrCat(what, " array"), &elements);
      array.elements = std::move(elements);
    });
    if (!known) {
      return cursor.Invalid(element_tag_offset,
                            absl::StrCat(what, ": unknown array element type ", element_tag));
    }
    if (!status.ok()) return status;
    *value = std::move(array);
    return absl::OkStatus();
  }
  absl::Status status;
  const bool known = DispatchScalar(tag, [&](auto type) {
    using T = typename decltype(type)::type;
    T v{};
    status = ReadElement(cursor, what, &v);
    *value = std::move(v);
  });
  if (!known) return cursor.Invalid(tag_offset, absl::StrCat(what, ": unknown type ", tag));
  return status;
}

}  // namespace nas::liv
