#include "liv/formats/gguf_kquants.h"

#include <cstring>

#include "liv/quant/blocks.h"

namespace nas::liv {
namespace {

float Half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return quant::HalfToFloat(h);
}

// Scale and min of sub-block j (< 8) from Q4_K's 12 packed bytes.
void ScaleAndMin(const uint8_t* packed, int j, int* scale, int* min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4);
    *min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

}  // namespace

void DequantizeQ4_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += kQ4_KBlockBytes, out += kKQuantBlock) {
    const float d = Half(src);
    const float dmin = Half(src + 2);
    const uint8_t* packed = src + 4;
    const uint8_t* qs = src + 16;
    for (int c = 0; c < 4; ++c) {
      int scale_lo, min_lo, scale_hi, min_hi;
      ScaleAndMin(packed, 2 * c, &scale_lo, &min_lo);
      ScaleAndMin(packed, 2 * c + 1, &scale_hi, &min_hi);
      for (int l = 0; l < 32; ++l) {
        const uint8_t q = qs[32 * c + l];
        out[64 * c + l] = d * scale_lo * (q & 0x0F) - dmin * min_lo;
        out[64 * c + 32 + l] = d * scale_hi * (q >> 4) - dmin * min_hi;
      }
    }
  }
}

void DequantizeQ6_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += kQ6_KBlockBytes, out += kKQuantBlock) {
    const uint8_t* ql = src;
    const uint8_t* qh = src + 128;
    const auto* scales = reinterpret_cast<const int8_t*>(src + 192);
    const float d = Half(src + 208);
    for (int e = 0; e < static_cast<int>(kKQuantBlock); ++e) {
      const int c = e / 128, g = (e % 128) / 32, l = e % 32;
      const uint8_t low_byte = ql[64 * c + l + 32 * (g & 1)];
      const int low = g < 2 ? low_byte & 0x0F : low_byte >> 4;
      const int high = (qh[32 * c + l] >> (2 * g)) & 3;
      out[e] = d * scales[e / 16] * ((low | (high << 4)) - 32);
    }
  }
}

}  // namespace nas::liv
