// The reference quantized formats: portable fp16 conversion (bit manipulation, round to
// nearest even, as F16C's vcvtps2ph/vcvtph2ps with the default rounding) and ggml's
// quantize_row_*_ref / dequantize_row_* written out literally. Every kernel variant is
// tested against these functions byte for byte.

#include "liv/quant/blocks.h"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace nas::liv::quant {
namespace {

// Shifts `mantissa` right by `shift` (1..31), rounding to nearest, ties to even.
uint32_t ShiftRoundEven(uint32_t mantissa, uint32_t shift) {
  const uint32_t kept = mantissa >> shift;
  const uint32_t rest = mantissa & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  return kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
}

// ggml's MAX(a, b).
float Max(float a, float b) { return a > b ? a : b; }

}  // namespace

uint16_t FloatToHalf(float x) {
  const uint32_t f = std::bit_cast<uint32_t>(x);
  const uint16_t sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  const uint32_t abs = f & 0x7fffffffu;
  if (abs >= 0x7f800000u) {
    if (abs == 0x7f800000u) return sign | 0x7c00u;  // infinity
    // NaN: quiet, keeping the top payload bits (as vcvtps2ph does).
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs & 0x7fffffu) >> 13));
  }
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity
  if (abs < 0x38800000u) {
    // Below 2^-14: a half subnormal (or zero), m * 2^-24 with m = round(|x| * 2^24).
    const uint32_t exponent = abs >> 23;
    const uint32_t shift = 126u - exponent;  // >= 14; |x| = mantissa * 2^(exponent - 150)
    if (exponent == 0 || shift > 24) return sign;  // under 2^-25: rounds to zero
    const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    // A carry to 0x400 is the smallest normal half, encoded correctly as is.
    return static_cast<uint16_t>(sign | ShiftRoundEven(mantissa, shift));
  }
  // Normal: rebias the exponent (127 -> 15) and round the mantissa from 23 to 10 bits; a
  // carry into the exponent is the correct result (65504 is the last one not overflowing).
  return static_cast<uint16_t>(sign | ShiftRoundEven(abs - 0x38000000u, 13));
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) {
    // Infinity, or NaN made quiet with its payload kept (as vcvtph2ps does).
    if (mantissa == 0) return std::bit_cast<float>(sign | 0x7f800000u);
    return std::bit_cast<float>(sign | 0x7fc00000u | (mantissa << 13));
  }
  if (exponent == 0) {
    if (mantissa == 0) return std::bit_cast<float>(sign);
    // Subnormal: mantissa * 2^-24; normalise it.
    uint32_t e = 113;  // the float exponent of 2^-14
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    return std::bit_cast<float>(sign | (e << 23) | ((mantissa & 0x3ffu) << 13));
  }
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, x += kBlockSize) {
    float amax = 0.0f;
    for (size_t j = 0; j < kBlockSize; ++j) amax = Max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = FloatToHalf(d);
    for (size_t j = 0; j < kBlockSize; ++j) {
      y[b].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    }
  }
}

void QuantizeRowQ4_0(const float* x, BlockQ4_0* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, x += kBlockSize) {
    // The value of largest magnitude, with its sign (the first one on ties).
    float amax = 0.0f;
    float max = 0.0f;
    for (size_t j = 0; j < kBlockSize; ++j) {
      if (amax < std::fabs(x[j])) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = FloatToHalf(d);
    for (size_t j = 0; j < kBlockSize / 2; ++j) {
      // Truncation toward zero of a value in [0.5, 16.5], as ggml's (int8_t) cast.
      const int lo = static_cast<int8_t>(x[j] * id + 8.5f);
      const int hi = static_cast<int8_t>(x[j + kBlockSize / 2] * id + 8.5f);
      y[b].qs[j] = static_cast<uint8_t>((lo < 15 ? lo : 15) | ((hi < 15 ? hi : 15) << 4));
    }
  }
}

void QuantizeRowI4G32(const float* x, BlockI4G32* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, x += kBlockSize) {
    float amax = 0.0f;
    for (size_t j = 0; j < kBlockSize; ++j) amax = Max(amax, std::fabs(x[j]));
    const float d = amax / 7.0f;
    y[b].d = FloatToHalf(d);
    uint8_t q[kBlockSize];
    for (size_t j = 0; j < kBlockSize; ++j) {
      float v = d != 0.0f ? std::round(x[j] / d) : 0.0f;
      v = v < -8.0f ? -8.0f : (v > 7.0f ? 7.0f : v);
      q[j] = static_cast<uint8_t>(static_cast<int>(v) + 8);
    }
    for (size_t j = 0; j < kBlockSize / 2; ++j) {
      y[b].qs[j] = static_cast<uint8_t>(q[j] | (q[j + kBlockSize / 2] << 4));
    }
  }
}

void QuantizeRowF16(const float* x, uint16_t* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = FloatToHalf(x[i]);
}

void DequantizeRowQ8_0(const BlockQ8_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, y += kBlockSize) {
    const float d = HalfToFloat(x[b].d);
    for (size_t j = 0; j < kBlockSize; ++j) y[j] = static_cast<float>(x[b].qs[j]) * d;
  }
}

void DequantizeRowQ4_0(const BlockQ4_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, y += kBlockSize) {
    const float d = HalfToFloat(x[b].d);
    for (size_t j = 0; j < kBlockSize / 2; ++j) {
      y[j] = static_cast<float>((x[b].qs[j] & 0x0f) - 8) * d;
      y[j + kBlockSize / 2] = static_cast<float>((x[b].qs[j] >> 4) - 8) * d;
    }
  }
}

void DequantizeRowI4G32(const BlockI4G32* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kBlockSize; ++b, y += kBlockSize) {
    const float d = HalfToFloat(x[b].d);
    for (size_t j = 0; j < kBlockSize / 2; ++j) {
      y[j] = static_cast<float>((x[b].qs[j] & 0x0f) - 8) * d;
      y[j + kBlockSize / 2] = static_cast<float>((x[b].qs[j] >> 4) - 8) * d;
    }
  }
}

void DequantizeRowF16(const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = HalfToFloat(x[i]);
}

}  // namespace nas::liv::quant
