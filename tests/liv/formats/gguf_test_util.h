// Helpers for the GGUF tests: byte strings, locating a key's or a tensor info's fields in a
// serialized file (by the unique name's bytes), and overwriting a field in place.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace nas::liv::gguf_test {

inline std::string Message(const absl::Status& status) { return std::string(status.message()); }

inline std::span<const uint8_t> Span(const std::string& bytes) {
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// Little-endian bytes of a trivially copyable value.
template <typename T>
std::string Le(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

// The bytes of F32 tensor data.
inline std::vector<uint8_t> F32Bytes(const std::vector<float>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(float));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

template <typename T>
void Poke(std::string* bytes, size_t offset, T value) {
  std::memcpy(bytes->data() + offset, &value, sizeof(T));
}

// The offset just after the (unique) u64-length-prefixed string `name`: for a key, where
// its i32 type tag is; for a tensor name, where its u32 n_dims is.
inline size_t AfterString(const std::string& bytes, std::string_view name) {
  const std::string needle = Le<uint64_t>(name.size()) + std::string(name);
  const size_t at = bytes.find(needle);
  if (at == std::string::npos || bytes.find(needle, at + 1) != std::string::npos) {
    return std::string::npos;
  }
  return at + needle.size();
}

// Field offsets of the tensor info named `name` with `n_dims` dims.
struct TensorInfoFields {
  size_t n_dims, dims, type, offset;
};
inline TensorInfoFields TensorFields(const std::string& bytes, std::string_view name,
                                     size_t n_dims) {
  const size_t n = AfterString(bytes, name);
  return {n, n + 4, n + 4 + 8 * n_dims, n + 4 + 8 * n_dims + 4};
}

}  // namespace nas::liv::gguf_test
