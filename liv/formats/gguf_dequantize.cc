// f32 views of GGUF tensor data through blocks.h's reference conversions.

#include "liv/formats/gguf_dequantize.h"

#include <bit>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "liv/formats/gguf_kquants.h"
#include "liv/formats/gguf_tensor_info.h"
#include "liv/quant/blocks.h"

namespace nas::liv {

float Bf16ToFloat(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

void DequantizeInto(GgmlType type, uint64_t element_count, const uint8_t* src, float* out) {
  const uint64_t block = GgmlBlockElements(type);
  const uint64_t block_bytes = GgmlBlockBytes(type);
  switch (type) {
    case GgmlType::kF32:
      if (element_count > 0) std::memcpy(out, src, element_count * sizeof(float));
      break;
    case GgmlType::kF16:
    case GgmlType::kBF16:
      for (uint64_t i = 0; i < element_count; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out[i] = type == GgmlType::kF16 ? quant::HalfToFloat(h) : Bf16ToFloat(h);
      }
      break;
    case GgmlType::kQ8_0:
      for (uint64_t b = 0; b < element_count / block; ++b) {
        quant::BlockQ8_0 q;  // a copy: the mapped bytes need not be 2-byte aligned
        std::memcpy(&q, src + b * block_bytes, sizeof(q));
        quant::DequantizeRowQ8_0(&q, out + b * block, block);
      }
      break;
    case GgmlType::kQ4_0:
      for (uint64_t b = 0; b < element_count / block; ++b) {
        quant::BlockQ4_0 q;
        std::memcpy(&q, src + b * block_bytes, sizeof(q));
        quant::DequantizeRowQ4_0(&q, out + b * block, block);
      }
      break;
    case GgmlType::kQ4_K:
      DequantizeQ4_K(src, element_count / block, out);
      break;
    case GgmlType::kQ6_K:
      DequantizeQ6_K(src, element_count / block, out);
      break;
  }
}

absl::StatusOr<std::vector<float>> DequantizeToF32(GgmlType type, uint64_t element_count,
                                                   std::span<const uint8_t> data) {
  if (!IsSupportedGgmlType(static_cast<int32_t>(type))) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot convert tensor type ", static_cast<int32_t>(type), " to f32"));
  }
  const uint64_t block = GgmlBlockElements(type);
  const uint64_t block_bytes = GgmlBlockBytes(type);
  if (element_count % block != 0 || element_count / block != data.size() / block_bytes ||
      data.size() % block_bytes != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(element_count, " elements of ", GgmlTypeString(type), " take ",
                     element_count / block * block_bytes, " bytes, not ", data.size()));
  }
  std::vector<float> out(element_count);
  DequantizeInto(type, element_count, data.data(), out.data());
  return out;
}

}  // namespace nas::liv
