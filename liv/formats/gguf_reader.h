// Reads GGUF version 3 files (README.md lists the supported subset): Open() memory-maps
// the file read-only and parses and validates it completely (gguf_parser.h) before
// anything is returned; FromBytes() does the same over caller-owned bytes (for fuzzing and
// tests). Tensor data is never copied: TensorData() returns spans into the mapping, valid
// while the reader lives (a move keeps them valid). Metadata comes with typed getters
// (gguf_value.h). The mapping is shared (mapping()) so that it can outlive the reader.
// Immutable after construction; const methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_parser.h"
#include "liv/formats/mapped_file.h"

namespace nas::liv {

// Whether `path` names a GGUF file: a ".gguf" extension (any case), or a regular file that
// starts with the GGUF magic. Reads at most 4 bytes.
bool IsGgufPath(const std::string& path);

class GgufReader {
 public:
  // Errors name the path; see gguf_parser.h and mapped_file.h for the codes.
  static absl::StatusOr<GgufReader> Open(const std::string& path);
  // `bytes` must outlive the reader; `source` names them in errors.
  static absl::StatusOr<GgufReader> FromBytes(std::span<const uint8_t> bytes,
                                              std::string source = "<memory>");

  const std::string& source() const { return source_; }
  uint32_t version() const { return contents_.version; }
  uint32_t alignment() const { return contents_.alignment; }
  uint64_t data_offset() const { return contents_.data_offset; }
  const GgufMetadata& metadata() const { return contents_.metadata; }
  const std::vector<GgufTensorInfo>& tensors() const { return contents_.tensors; }
  // The whole file (the mapping, or the bytes given to FromBytes).
  std::span<const uint8_t> bytes() const { return bytes_; }
  // The mapping of an opened file, to keep its spans valid beyond the reader (a model
  // using its tensors in place); null for FromBytes.
  const std::shared_ptr<const MappedFile>& mapping() const { return file_; }

  // nullptr when absent.
  const GgufTensorInfo* FindTensor(std::string_view name) const;
  // NotFound naming the tensor and the file.
  absl::StatusOr<const GgufTensorInfo*> GetTensor(std::string_view name) const;

  // The tensor's bytes, inside bytes() (validated at parse time); `info` must be one of
  // tensors().
  std::span<const uint8_t> TensorData(const GgufTensorInfo& info) const;
  absl::StatusOr<std::span<const uint8_t>> TensorData(std::string_view name) const;
  // The tensor converted to f32 (gguf_dequantize.h).
  absl::StatusOr<std::vector<float>> TensorToF32(std::string_view name) const;

 private:
  GgufReader(std::shared_ptr<const MappedFile> file, std::span<const uint8_t> bytes, std::string source,
             GgufContents contents);

  std::shared_ptr<const MappedFile> file_;
  std::span<const uint8_t> bytes_;
  std::string source_;
  GgufContents contents_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace nas::liv
