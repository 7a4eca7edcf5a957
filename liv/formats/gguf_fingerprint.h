// A GGUF file's fingerprint: the identity that a coordinator and a device agent compare to
// know they hold the same checkpoint under one file name, without reading gigabytes. It is
// FNV-1a 128 (base/fnv1a.h) over the file size (8 bytes, little-endian), the whole header
// (every byte before the data section: metadata and tensor infos) and the first and last
// 4 KiB of every tensor's data, in the header's tensor order. A re-quantized, re-trained,
// re-seeded or truncated file differs; only a few pages per tensor are read. Not a defence
// against a forged file. Thread-safe.
#pragma once

#include <string>

#include "liv/formats/gguf_reader.h"

namespace nas::liv {

// Bytes hashed at each end of a tensor's data.
inline constexpr uint64_t kGgufFingerprintTensorEdge = 4096;

// 32 lowercase hex digits.
std::string GgufFingerprint(const GgufReader& reader);

}  // namespace nas::liv
