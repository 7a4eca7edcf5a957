// Parses and validates the structure of a GGUF version 3 file held in memory: header,
// metadata, tensor infos and the placement of every tensor's data, all checked against the
// byte count before use (see README.md for the full list of checks). Nothing is copied
// from the data section: infos hold offsets into `bytes`. Errors name `source`, the byte
// offset and the problem: DataLossError when something runs past the end of the bytes
// (truncation, lying lengths or counts), InvalidArgumentError for invalid values. Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_tensor_info.h"
#include "liv/formats/gguf_value.h"

namespace nas::liv {

struct GgufContents {
  uint32_t version = 0;
  uint32_t alignment = kGgufDefaultAlignment;
  uint64_t data_offset = 0;  // start of the data section in the file; a multiple of alignment
  GgufMetadata metadata;
  std::vector<GgufTensorInfo> tensors;  // in file order
};

absl::StatusOr<GgufContents> ParseGguf(std::span<const uint8_t> bytes, const std::string& source);

}  // namespace nas::liv
