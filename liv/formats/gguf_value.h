// GGUF metadata values and the ordered key/value store both the reader and the writer use.
// A GgufValue is a variant whose alternative index equals the GGUF type tag (0 = UINT8 ...
// 9 = ARRAY ... 12 = FLOAT64); a GgufArray holds a vector of one non-array element type
// (arrays of strings included; arrays of arrays are not supported), so an empty array
// keeps its element type. GgufMetadata keeps keys in insertion order, rejects duplicates,
// and its typed getters fail with the key and the actual type when the type differs
// (no conversion: a UINT32 is not returned by GetUint64). Not thread-safe for writes;
// const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "liv/formats/gguf_types.h"

namespace nas::liv {

// Alternative index == element type tag, except that tag 9 (ARRAY) is not allowed: index 9
// is std::monostate and never occurs in a valid array.
struct GgufArray {
  std::variant<std::vector<uint8_t>, std::vector<int8_t>, std::vector<uint16_t>,
               std::vector<int16_t>, std::vector<uint32_t>, std::vector<int32_t>,
               std::vector<float>, std::vector<bool>, std::vector<std::string>, std::monostate,
               std::vector<uint64_t>, std::vector<int64_t>, std::vector<double>>
      elements;

  GgufType element_type() const { return static_cast<GgufType>(elements.index()); }
  size_t size() const;
  friend bool operator==(const GgufArray&, const GgufArray&) = default;
};

using GgufValue = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                               std::string, GgufArray, uint64_t, int64_t, double>;

inline GgufType TypeOf(const GgufValue& value) { return static_cast<GgufType>(value.index()); }

// "ARRAY[UINT32]" for arrays, else GgufTypeName.
std::string DescribeType(const GgufValue& value);

struct GgufKv {
  std::string key;
  GgufValue value;
};

class GgufMetadata {
 public:
  // `source` names the file in error messages.
  explicit GgufMetadata(std::string source = "<gguf>") : source_(std::move(source)) {}

  // InvalidArgument for a duplicate key or an array whose element type is ARRAY.
  absl::Status Add(std::string key, GgufValue value);

  const std::vector<GgufKv>& entries() const { return entries_; }
  const std::string& source() const { return source_; }
  size_t size() const { return entries_.size(); }
  // nullptr when absent.
  const GgufValue* Find(std::string_view key) const;

  // NotFound naming the key and source when absent; InvalidArgument naming the key and
  // its actual type when the type differs.
  absl::StatusOr<uint8_t> GetUint8(std::string_view key) const { return Get<uint8_t>(key); }
  absl::StatusOr<int8_t> GetInt8(std::string_view key) const { return Get<int8_t>(key); }
  absl::StatusOr<uint16_t> GetUint16(std::string_view key) const { return Get<uint16_t>(key); }
  absl::StatusOr<int16_t> GetInt16(std::string_view key) const { return Get<int16_t>(key); }
  absl::StatusOr<uint32_t> GetUint32(std::string_view key) const { return Get<uint32_t>(key); }
  absl::StatusOr<int32_t> GetInt32(std::string_view key) const { return Get<int32_t>(key); }
  absl::StatusOr<uint64_t> GetUint64(std::string_view key) const { return Get<uint64_t>(key); }
  absl::StatusOr<int64_t> GetInt64(std::string_view key) const { return Get<int64_t>(key); }
  absl::StatusOr<float> GetFloat32(std::string_view key) const { return Get<float>(key); }
  absl::StatusOr<double> GetFloat64(std::string_view key) const { return Get<double>(key); }
  absl::StatusOr<bool> GetBool(std::string_view key) const { return Get<bool>(key); }
  absl::StatusOr<std::string> GetString(std::string_view key) const {
    return Get<std::string>(key);
  }

  // The array's elements (a pointer into this store, valid while it lives unchanged);
  // errors as above, naming e.g. ARRAY[INT32] when the element type differs.
  template <typename T>
  absl::StatusOr<const std::vector<T>*> GetArray(std::string_view key) const;
  absl::StatusOr<const std::vector<std::string>*> GetStringArray(std::string_view key) const {
    return GetArray<std::string>(key);
  }
  absl::StatusOr<const std::vector<uint32_t>*> GetUint32Array(std::string_view key) const {
    return GetArray<uint32_t>(key);
  }
  absl::StatusOr<const std::vector<int32_t>*> GetInt32Array(std::string_view key) const {
    return GetArray<int32_t>(key);
  }
  absl::StatusOr<const std::vector<float>*> GetFloat32Array(std::string_view key) const {
    return GetArray<float>(key);
  }

 private:
  absl::StatusOr<const GgufValue*> FindOrError(std::string_view key) const;
  absl::Status WrongType(std::string_view key, const GgufValue& value,
                         std::string_view wanted) const;

  template <typename T>
  absl::StatusOr<T> Get(std::string_view key) const {
    auto value = FindOrError(key);
    if (!value.ok()) return value.status();
    if (const T* v = std::get_if<T>(*value)) return *v;
    return WrongType(key, **value, GgufTypeName(static_cast<GgufType>(GgufValue(T{}).index())));
  }

  std::string source_;
  std::vector<GgufKv> entries_;
  std::unordered_map<std::string, size_t> index_;
};

template <typename T>
absl::StatusOr<const std::vector<T>*> GgufMetadata::GetArray(std::string_view key) const {
  auto value = FindOrError(key);
  if (!value.ok()) return value.status();
  const std::string wanted =
      "ARRAY[" + GgufTypeName(static_cast<GgufType>(GgufArray{std::vector<T>{}}.elements.index())) +
      "]";
  const auto* array = std::get_if<GgufArray>(*value);
  if (array == nullptr) return WrongType(key, **value, wanted);
  const auto* elements = std::get_if<std::vector<T>>(&array->elements);
  if (elements == nullptr) return WrongType(key, **value, wanted);
  return elements;
}

}  // namespace nas::liv
