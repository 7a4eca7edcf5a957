// Writes GGUF version 3 files (../shared/REFERENCE.md section 2): the header, the metadata
// in insertion order, the tensor infos in insertion order, zero padding up to the data
// section (at a multiple of the alignment), then each tensor's bytes at an offset that is
// a multiple of the alignment, zero-padded to the next one (the last tensor too, as
// llama.cpp's writers do). The alignment is `general.alignment` (a UINT32 power of two)
// when that key was added, else 32. Tensor types F32, F16, BF16, Q8_0 and Q4_0; the data is
// raw little-endian bytes in the GGUF block layout (liv/quant/blocks.h) and its size must
// match the dims exactly. WriteFile writes a temporary file beside the target and renames
// it, so a reader never sees a half-written file. Not thread-safe; const methods may run
// concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "liv/formats/gguf_tensor_info.h"
#include "liv/formats/gguf_value.h"

namespace nas::liv {

class GgufWriter {
 public:
  GgufWriter() : metadata_("<gguf writer>") {}

  // InvalidArgument for a duplicate key, a nested array, or a `general.alignment` that is
  // not a UINT32 power of two.
  absl::Status AddMetadata(std::string key, GgufValue value);

  // InvalidArgument for a duplicate or empty name, an unsupported type, a bad shape
  // (gguf_tensor_info.h) or a data size other than the shape's byte size.
  absl::Status AddTensor(std::string name, GgmlType type, std::vector<int64_t> dims,
                         std::vector<uint8_t> data);

  uint32_t alignment() const { return alignment_; }
  const GgufMetadata& metadata() const { return metadata_; }
  // The infos as they will be written (offsets for the current alignment).
  std::vector<GgufTensorInfo> TensorInfos() const;

  // The whole file.
  std::string Serialize() const;
  // Writes Serialize()'s bytes to `path` through `path`.tmp.XXXXXX and a rename.
  absl::Status WriteFile(const std::string& path) const;

 private:
  struct Tensor {
    GgufTensorInfo info;
    std::vector<uint8_t> data;
  };

  // Header, metadata, tensor infos and the padding up to the data section.
  std::string SerializeHead() const;

  GgufMetadata metadata_;
  uint32_t alignment_ = kGgufDefaultAlignment;
  std::vector<Tensor> tensors_;
};

}  // namespace nas::liv
