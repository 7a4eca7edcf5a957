// Quantized weight blocks with the exact GGUF layouts (../shared/REFERENCE.md section 2),
// the exchange format of the runtime, the GGUF reader/writer and the quantized kernels:
//   Q8_0:  fp16 scale d, 32 int8 q;            x ~ q * d;          34 bytes / 32 weights
//   Q4_0:  fp16 scale d, 16 bytes of nibbles;  weight j is the low nibble of byte j, weight
//          j + 16 the high nibble; x ~ (q - 8) * d;                18 bytes / 32 weights
//   I4G32: ExecuTorch-style "8da4w" weights: int4 symmetric per group of 32, fp16 scale
//          d = max|x| / 7 (0 when all zero), q = clamp(round(x / d), -8, 7) stored as
//          q + 8 in nibbles laid out as Q4_0's; x ~ q * d.    18 bytes / 32 weights
// plus IEEE half-precision conversion (round to nearest even, as F16C does).
// Quantize/dequantize functions here are the reference definitions (ggml's
// quantize_row_*_ref and dequantize_row_*); the kernels' own activation quantization must
// produce the same bytes. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nas::liv::quant {

inline constexpr size_t kBlockSize = 32;

struct BlockQ8_0 {
  uint16_t d;           // fp16
  int8_t qs[kBlockSize];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ4_0 {
  uint16_t d;           // fp16
  uint8_t qs[kBlockSize / 2];
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockI4G32 {
  uint16_t d;           // fp16
  uint8_t qs[kBlockSize / 2];
};
static_assert(sizeof(BlockI4G32) == 18);

uint16_t FloatToHalf(float x);
float HalfToFloat(uint16_t h);

// n must be a multiple of kBlockSize; y holds n / kBlockSize blocks (or n halves).
void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, size_t n);
void QuantizeRowQ4_0(const float* x, BlockQ4_0* y, size_t n);
void QuantizeRowI4G32(const float* x, BlockI4G32* y, size_t n);
void QuantizeRowF16(const float* x, uint16_t* y, size_t n);
void DequantizeRowQ8_0(const BlockQ8_0* x, float* y, size_t n);
void DequantizeRowQ4_0(const BlockQ4_0* x, float* y, size_t n);
void DequantizeRowI4G32(const BlockI4G32* x, float* y, size_t n);
void DequantizeRowF16(const uint16_t* x, float* y, size_t n);

}  // namespace nas::liv::quant
