// A GGUF tensor info (name, dims innermost first, ggml type, offset into the data section)
// and the shape rules both the reader and the writer enforce: 1..4 dims, each >= 1, an
// element count that fits in int64 (as ggml's), ne[0] a multiple of the block size for
// quantized types, and a byte size that fits in uint64. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_types.h"

namespace nas::liv {

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> dims;  // ne[0] (innermost) first
  GgmlType type = GgmlType::kF32;
  uint64_t offset = 0;  // from the start of the data section; a multiple of the alignment
  uint64_t element_count = 0;
  uint64_t byte_size = 0;
};

struct GgufTensorSize {
  uint64_t element_count;
  uint64_t byte_size;
};

// The element count and byte size of a `type` tensor of shape `dims`, or InvalidArgument
// saying which rule is broken (the caller adds the file, offset and tensor name).
absl::StatusOr<GgufTensorSize> GgufTensorSizeOf(GgmlType type, std::span<const int64_t> dims);

// "F32", "Q8_0", ... for a supported type.
std::string GgmlTypeString(GgmlType type);

// "[4096, 1024]".
std::string DimsString(std::span<const int64_t> dims);

}  // namespace nas::liv
