#include "liv/formats/gguf_fingerprint.h"

#include <algorithm>

#include "base/fnv1a.h"

namespace nas::liv {

std::string GgufFingerprint(const GgufReader& reader) {
  Fnv1a128 hash;
  const std::span<const uint8_t> file = reader.bytes();
  uint64_t size = file.size();
  unsigned char size_le[8];
  for (unsigned char& byte : size_le) {
    byte = static_cast<unsigned char>(size & 0xff);
    size >>= 8;
  }
  hash.Update(size_le, sizeof(size_le));
  hash.Update(file.data(), std::min<uint64_t>(reader.data_offset(), file.size()));
  for (const GgufTensorInfo& info : reader.tensors()) {
    const std::span<const uint8_t> data = reader.TensorData(info);
    const uint64_t head = std::min<uint64_t>(kGgufFingerprintTensorEdge, data.size());
    const uint64_t tail = std::min<uint64_t>(kGgufFingerprintTensorEdge, data.size() - head);
    hash.Update(data.data(), head);
    hash.Update(data.data() + data.size() - tail, tail);
  }
  return hash.Hex();
}

}  // namespace nas::liv
