// Conversion of a GGUF tensor's raw bytes to f32: F32 (copied), F16 and BF16 (exact
// widening; NaN payloads kept), Q8_0 and Q4_0 (liv/quant/blocks.h's reference
// dequantization, block by block), Q4_K and Q6_K (gguf_kquants.h). The bytes need no alignment. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_types.h"

namespace nas::liv {

// InvalidArgument when `data` is not exactly the byte size of `element_count` elements of
// `type` (or element_count is not a whole number of blocks).
absl::StatusOr<std::vector<float>> DequantizeToF32(GgmlType type, uint64_t element_count,
                                                   std::span<const uint8_t> data);

// The same without checks, into `out`: `src` must hold exactly `element_count` elements of
// the supported `type` (a whole number of blocks).
void DequantizeInto(GgmlType type, uint64_t element_count, const uint8_t* src, float* out);

// BF16 -> f32: the top 16 bits of the float.
float Bf16ToFloat(uint16_t h);

}  // namespace nas::liv
