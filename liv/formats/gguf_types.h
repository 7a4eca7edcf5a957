// The numbers of the GGUF version 3 format (../shared/REFERENCE.md section 2): the metadata
// value type tags (0..12), the ggml tensor types with their block sizes, and the tensor
// types this project reads and writes: F32, F16, BF16, Q8_0 and Q4_0 (the block layouts of
// liv/quant/blocks.h). Every other ggml type is known by name (for error messages) but
// unsupported. Pure constants and functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace nas::liv {

inline constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32
inline constexpr uint32_t kGgufVersion = 3;
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr char kGgufAlignmentKey[] = "general.alignment";
inline constexpr uint32_t kGgufMaxDims = 4;

// Metadata value type tags, as stored (i32) in the file.
enum class GgufType : int32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "UINT8", ..., "FLOAT64"; "type N" for a tag outside 0..12.
std::string GgufTypeName(GgufType type);

// ggml tensor type numbers (the i32 in a tensor info). Only the supported ones are named.
enum class GgmlType : int32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ8_0 = 8,
  kQ4_K = 12,
  kQ6_K = 14,
  kBF16 = 30,
};

// The name of any ggml type number llama.cpp has defined ("Q4_K", ...), or nullopt.
std::optional<std::string> GgmlTypeName(int32_t type);

// True for the types this project reads: F32, F16, BF16, Q8_0, Q4_0, and Q4_K / Q6_K
// (gguf_kquants.h; read-only, converted on import).
bool IsSupportedGgmlType(int32_t type);

// Elements per block (1 for float types, 32 for Q8_0/Q4_0, 256 for Q4_K/Q6_K) and bytes per block, for a
// supported type.
size_t GgmlBlockElements(GgmlType type);
size_t GgmlBlockBytes(GgmlType type);

}  // namespace nas::liv
