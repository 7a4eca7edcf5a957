// Tests of the reference block formats (liv/quant/blocks.h): fp16 conversion edge cases,
// and quantize -> bytes -> dequantize against blocks written out by hand (ggml's rules:
// Q8_0 d = max|x| / 127 with round-half-away; Q4_0 d = signed max / -8 with truncation of
// x / d + 8.5; I4G32 d = max|x| / 7, round-half-away, stored q + 8).

#include "liv/quant/blocks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <bit>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nas::liv::quant {
namespace {

float Bits(uint32_t u) { return std::bit_cast<float>(u); }
uint32_t BitsOf(float f) { return std::bit_cast<uint32_t>(f); }

std::vector<float> Iota32() {
  std::vector<float> x(kBlockSize);
  for (size_t j = 0; j < kBlockSize; ++j) x[j] = static_cast<float>(j);
  return x;
}

// ---- fp16 ------------------------------------------------------------------------------

TEST(Fp16, FloatToHalfExactAndSpecialValues) {
  EXPECT_EQ(FloatToHalf(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xC000);
  EXPECT_EQ(FloatToHalf(0.5f), 0x3800);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7BFF);       // the largest half
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -14)), 0x0400);  // the smallest normal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001);  // the smallest subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(1023.0f, -24)), 0x03FF);  // the largest subnormal
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(FloatToHalf(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::quiet_NaN()), 0x7E00);
  EXPECT_EQ(FloatToHalf(Bits(0xFF800001u)), 0xFE00);  // a signalling NaN is made quiet
  EXPECT_EQ(FloatToHalf(Bits(0x7FA00000u)), 0x7F00);  // top payload bits kept
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(FloatToHalf(-std::numeric_limits<float>::denorm_min()), 0x8000);
  EXPECT_EQ(FloatToHalf(1e-30f), 0x0000);
}

TEST(Fp16, FloatToHalfRoundsToNearestEven) {
  // Normal range: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(3.0f, -11)), 0x3C02);
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11) - std::ldexp(1.0f, -23)), 0x3C00);
  EXPECT_EQ(FloatToHalf(2049.0f), 0x6800);  // tie -> 2048 (even)
  EXPECT_EQ(FloatToHalf(2051.0f), 0x6802);  // tie -> 2052 (even)
  EXPECT_EQ(FloatToHalf(-2051.0f), 0xE802);
  // A carry from the mantissa into the exponent: 2047.99 -> 2048.
  EXPECT_EQ(FloatToHalf(2047.9f), 0x6800);
  // Overflow: 65519.99 is below the halfway point to 65536, 65520 is on it (-> inf).
  EXPECT_EQ(FloatToHalf(65519.996f), 0x7BFF);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7C00);
  EXPECT_EQ(FloatToHalf(-65520.0f), 0xFC00);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7C00);
  // Subnormal range (units of 2^-24).
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);  // tie 0 / 1 -> 0
  EXPECT_EQ(FloatToHalf(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
  EXPECT_EQ(FloatToHalf(std::ldexp(3.0f, -25)), 0x0002);  // tie 1 / 2 -> 2
  EXPECT_EQ(FloatToHalf(std::ldexp(5.0f, -25)), 0x0002);  // tie 2 / 3 -> 2
  EXPECT_EQ(FloatToHalf(-std::ldexp(5.0f, -25)), 0x8002);
  EXPECT_EQ(FloatToHalf(std::ldexp(2047.0f, -25)), 0x0400);  // tie 1023 / 1024 -> normal
  EXPECT_EQ(FloatToHalf(std::ldexp(2045.0f, -25)), 0x03FE);  // tie 1022 / 1023 -> 1022
}

TEST(Fp16, HalfToFloatValues) {
  EXPECT_EQ(BitsOf(HalfToFloat(0x0000)), 0x00000000u);
  EXPECT_EQ(BitsOf(HalfToFloat(0x8000)), 0x80000000u);
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(HalfToFloat(0x0200), std::ldexp(1.0f, -15));
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));
  EXPECT_EQ(HalfToFloat(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(HalfToFloat(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(BitsOf(HalfToFloat(0x7E00)), 0x7FC00000u);
  EXPECT_EQ(BitsOf(HalfToFloat(0x7C01)), 0x7FC02000u);  // signalling -> quiet, payload kept
  EXPECT_EQ(BitsOf(HalfToFloat(0xFD55)), 0xFFEAA000u);
}

TEST(Fp16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const uint16_t half = static_cast<uint16_t>(h);
    const bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
    const uint16_t want = nan ? static_cast<uint16_t>(half | 0x0200) : half;
    ASSERT_EQ(FloatToHalf(HalfToFloat(half)), want) << std::hex << h;
  }
}

#if defined(__x86_64__)
__attribute__((target("f16c"))) uint16_t F16cToHalf(float x) {
  return static_cast<uint16_t>(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
__attribute__((target("f16c"))) float F16cToFloat(uint16_t h) { return _cvtsh_ss(h); }

// The portable conversions against the hardware's: a sweep over all floats (stride 251,
// every sign, exponent and a spread of mantissas) and every float whose exponent is near
// the half range's edges (subnormal, smallest normal, overflow), plus every half.
TEST(Fp16, MatchesF16c) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "this CPU has no F16C";
  for (uint64_t u = 0; u <= 0xFFFFFFFFu; u += 251) {
    const float x = Bits(static_cast<uint32_t>(u));
    ASSERT_EQ(FloatToHalf(x), F16cToHalf(x)) << std::hex << u;
  }
  for (uint32_t exponent : {101u, 102u, 103u, 112u, 113u, 142u, 143u}) {
    for (uint32_t m = 0; m < (1u << 23); ++m) {
      for (uint32_t sign : {0u, 0x80000000u}) {
        const float x = Bits(sign | (exponent << 23) | m);
        ASSERT_EQ(FloatToHalf(x), F16cToHalf(x)) << std::hex << BitsOf(x);
      }
    }
  }
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const uint16_t half = static_cast<uint16_t>(h);
    ASSERT_EQ(BitsOf(HalfToFloat(half)), BitsOf(F16cToFloat(half))) << std::hex << h;
  }
}
#endif

// ---- Q8_0 ------------------------------------------------------------------------------

TEST(BlocksQ8_0, IotaBlock) {
  // d = 31 / 127 = 0.24409..., as fp16 0x33D0 = 0.244140625; q = round(j * 127 / 31).
  const std::vector<float> x = Iota32();
  BlockQ8_0 block;
  QuantizeRowQ8_0(x.data(), &block, kBlockSize);
  EXPECT_EQ(block.d, 0x33D0);
  const int8_t want[kBlockSize] = {0,  4,  8,  12, 16, 20, 25,  29,  33,  37,  41,
                                   45, 49, 53, 57, 61, 66, 70,  74,  78,  82,  86,
                                   90, 94, 98, 102, 107, 111, 115, 119, 123, 127};
  for (size_t j = 0; j < kBlockSize; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  float y[kBlockSize];
  DequantizeRowQ8_0(&block, y, kBlockSize);
  for (size_t j = 0; j < kBlockSize; ++j) EXPECT_EQ(y[j], want[j] * 0.244140625f) << j;
}

TEST(BlocksQ8_0, RoundsHalfAwayFromZero) {
  // max|x| = 127 (a negative value): d = 1 exactly, so q = round(x).
  float x[kBlockSize] = {-127.0f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 126.5f, 0.49999997f, 3.4f};
  BlockQ8_0 block;
  QuantizeRowQ8_0(x, &block, kBlockSize);
  EXPECT_EQ(block.d, 0x3C00);
  const int8_t want[9] = {-127, 1, -1, 2, 3, -3, 127, 0, 3};
  for (size_t j = 0; j < 9; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  for (size_t j = 9; j < kBlockSize; ++j) EXPECT_EQ(block.qs[j], 0) << j;
  // max|x| = 63.5: d = 0.5 (fp16 0x3800), id = 2.
  float z[kBlockSize] = {0.25f, -0.75f, -63.5f, 1.25f, 0.2f};
  QuantizeRowQ8_0(z, &block, kBlockSize);
  EXPECT_EQ(block.d, 0x3800);
  const int8_t want_z[5] = {1, -2, -127, 3, 0};
  for (size_t j = 0; j < 5; ++j) EXPECT_EQ(block.qs[j], want_z[j]) << j;
  float y[kBlockSize];
  DequantizeRowQ8_0(&block, y, kBlockSize);
  const float want_y[5] = {0.5f, -1.0f, -63.5f, 1.5f, 0.0f};
  for (size_t j = 0; j < 5; ++j) EXPECT_EQ(y[j], want_y[j]) << j;
}

TEST(BlocksQ8_0, ZerosAndSeveralBlocks) {
  std::vector<float> x(3 * kBlockSize, 0.0f);
  x[2 * kBlockSize + 5] = -127.0f;  // block 2: d = 1
  BlockQ8_0 blocks[3];
  std::memset(blocks, 0xAB, sizeof(blocks));
  QuantizeRowQ8_0(x.data(), blocks, x.size());
  for (int b = 0; b < 2; ++b) {
    EXPECT_EQ(blocks[b].d, 0x0000);
    for (size_t j = 0; j < kBlockSize; ++j) EXPECT_EQ(blocks[b].qs[j], 0);
  }
  EXPECT_EQ(blocks[2].d, 0x3C00);
  EXPECT_EQ(blocks[2].qs[5], -127);
  std::vector<float> y(x.size(), 1.0f);
  DequantizeRowQ8_0(blocks, y.data(), y.size());
  EXPECT_EQ(y, x);
}

// ---- Q4_0 ------------------------------------------------------------------------------

TEST(BlocksQ4_0, IotaBlock) {
  // max = 31: d = -31 / 8 = -3.875 (fp16 0xC3C0), q = trunc(j / -3.875 + 8.5).
  const std::vector<float> x = Iota32();
  BlockQ4_0 block;
  QuantizeRowQ4_0(x.data(), &block, kBlockSize);
  EXPECT_EQ(block.d, 0xC3C0);
  // q: 8 8 7 7 7 7 6 6 6 6 5 5 5 5 4 4 | 4 4 3 3 3 3 2 2 2 2 1 1 1 1 0 0
  const uint8_t want[16] = {0x48, 0x48, 0x37, 0x37, 0x37, 0x37, 0x26, 0x26,
                            0x26, 0x26, 0x15, 0x15, 0x15, 0x15, 0x04, 0x04};
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  float y[kBlockSize];
  DequantizeRowQ4_0(&block, y, kBlockSize);
  const int q[kBlockSize] = {8, 8, 7, 7, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 4, 4,
                             4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0};
  for (size_t j = 0; j < kBlockSize; ++j) EXPECT_EQ(y[j], (q[j] - 8) * -3.875f) << j;
}

TEST(BlocksQ4_0, NegativeMaxMagnitude) {
  // max = -8: d = 1 (fp16 0x3C00), id = 1, q = min(15, trunc(x + 8.5)).
  float x[kBlockSize] = {-8.0f, 7.0f, 7.5f, -0.5f, 0.5f, -1.5f, 2.49f, -7.9f, 0.0f};
  x[16] = 3.0f;   // high nibble of byte 0
  x[17] = -3.0f;  // high nibble of byte 1
  x[18] = 6.5f;   // high nibble of byte 2
  BlockQ4_0 block;
  QuantizeRowQ4_0(x, &block, kBlockSize);
  EXPECT_EQ(block.d, 0x3C00);
  // Low nibbles: 0, 15, 15 (16 clamped), 8, 9, 7, 10, 0, 8; high: 11, 5, 15, then 8s.
  const uint8_t want[16] = {0xB0, 0x5F, 0xFF, 0x88, 0x89, 0x87, 0x8A, 0x80,
                            0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88};
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  float y[kBlockSize];
  DequantizeRowQ4_0(&block, y, kBlockSize);
  const float want_y[9] = {-8.0f, 7.0f, 7.0f, 0.0f, 1.0f, -1.0f, 2.0f, -8.0f, 0.0f};
  for (size_t j = 0; j < 9; ++j) EXPECT_EQ(y[j], want_y[j]) << j;
  EXPECT_EQ(y[16], 3.0f);
  EXPECT_EQ(y[17], -3.0f);
  EXPECT_EQ(y[18], 7.0f);
}

TEST(BlocksQ4_0, PositiveMaxFirstOnTies) {
  // |16| and |-16|: the first one (16) wins: d = -2 (fp16 0xC000), id = -0.5.
  float x[kBlockSize] = {16.0f, -16.0f, -14.0f, -15.0f, 1.0f, -1.0f};
  BlockQ4_0 block;
  QuantizeRowQ4_0(x, &block, kBlockSize);
  EXPECT_EQ(block.d, 0xC000);
  // q = trunc(x * -0.5 + 8.5): 0, 16 -> 15, 15, 16 -> 15, 8, 9; the zeros 8.
  const uint8_t want[6] = {0x80, 0x8F, 0x8F, 0x8F, 0x88, 0x89};
  for (size_t j = 0; j < 6; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  float y[kBlockSize];
  DequantizeRowQ4_0(&block, y, kBlockSize);
  const float want_y[6] = {16.0f, -14.0f, -14.0f, -14.0f, 0.0f, -2.0f};
  for (size_t j = 0; j < 6; ++j) EXPECT_EQ(y[j], want_y[j]) << j;
}

TEST(BlocksQ4_0, Zeros) {
  float x[kBlockSize] = {};
  BlockQ4_0 block;
  QuantizeRowQ4_0(x, &block, kBlockSize);
  EXPECT_EQ(block.d, 0x8000);  // d = 0 / -8 = -0 (as in ggml); every q = trunc(8.5) = 8
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(block.qs[j], 0x88) << j;
  float y[kBlockSize];
  DequantizeRowQ4_0(&block, y, kBlockSize);
  for (float v : y) EXPECT_EQ(v, 0.0f);
}

// ---- I4G32 -----------------------------------------------------------------------------

TEST(BlocksI4G32, IotaBlock) {
  // d = 31 / 7 = 4.4286 (fp16 0x446E = 4.4296875); q = round(j * 7 / 31), stored q + 8.
  const std::vector<float> x = Iota32();
  BlockI4G32 block;
  QuantizeRowI4G32(x.data(), &block, kBlockSize);
  EXPECT_EQ(block.d, 0x446E);
  // q: 0 0 0 1 1 1 1 2 2 2 2 2 3 3 3 3 | 4 4 4 4 5 5 5 5 5 6 6 6 6 7 7 7
  const uint8_t want[16] = {0xC8, 0xC8, 0xC8, 0xC9, 0xD9, 0xD9, 0xD9, 0xDA,
                            0xDA, 0xEA, 0xEA, 0xEA, 0xEB, 0xFB, 0xFB, 0xFB};
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  float y[kBlockSize];
  DequantizeRowI4G32(&block, y, kBlockSize);
  const int q[kBlockSize] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3,
                             4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7};
  for (size_t j = 0; j < kBlockSize; ++j) EXPECT_EQ(y[j], q[j] * 4.4296875f) << j;
}

TEST(BlocksI4G32, SymmetricRoundsHalfAwayFromZero) {
  // max|x| = 7 (negative): d = 1, q = round(x): -7, 1, -1, 2, -3, 3, 7.
  float x[kBlockSize] = {-7.0f, 0.5f, -0.5f, 1.5f, -2.5f, 2.5f, 6.6f};
  BlockI4G32 block;
  QuantizeRowI4G32(x, &block, kBlockSize);
  EXPECT_EQ(block.d, 0x3C00);
  const uint8_t want[7] = {0x81, 0x89, 0x87, 0x8A, 0x85, 0x8B, 0x8F};
  for (size_t j = 0; j < 7; ++j) EXPECT_EQ(block.qs[j], want[j]) << j;
  for (size_t j = 7; j < 16; ++j) EXPECT_EQ(block.qs[j], 0x88) << j;
  float y[kBlockSize];
  DequantizeRowI4G32(&block, y, kBlockSize);
  const float want_y[7] = {-7.0f, 1.0f, -1.0f, 2.0f, -3.0f, 3.0f, 7.0f};
  for (size_t j = 0; j < 7; ++j) EXPECT_EQ(y[j], want_y[j]) << j;
  float z[kBlockSize] = {};
  QuantizeRowI4G32(z, &block, kBlockSize);
  EXPECT_EQ(block.d, 0x0000);
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(block.qs[j], 0x88) << j;
}

// ---- F16 and error bounds on random rows -------------------------------------------------

TEST(BlocksF16, RowRoundTrip) {
  const float x[4] = {1.0f, -2.0f, 1.0f + std::ldexp(1.0f, -11), 65520.0f};
  uint16_t h[4];
  QuantizeRowF16(x, h, 4);
  EXPECT_EQ(h[0], 0x3C00);
  EXPECT_EQ(h[1], 0xC000);
  EXPECT_EQ(h[2], 0x3C00);
  EXPECT_EQ(h[3], 0x7C00);
  float y[4];
  DequantizeRowF16(h, y, 4);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], -2.0f);
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_TRUE(std::isinf(y[3]));
}

// Dequantized values lie within half a step of the input, the step being the fp16 scale
// (plus what rounding the scale to fp16 moves the largest level).
TEST(BlocksRandom, ErrorWithinHalfAStep) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  const size_t n = 64 * kBlockSize;
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  std::vector<BlockQ8_0> q8(n / kBlockSize);
  std::vector<BlockQ4_0> q4(n / kBlockSize);
  std::vector<BlockI4G32> i4(n / kBlockSize);
  QuantizeRowQ8_0(x.data(), q8.data(), n);
  QuantizeRowQ4_0(x.data(), q4.data(), n);
  QuantizeRowI4G32(x.data(), i4.data(), n);
  std::vector<float> y8(n), y4(n), yi(n);
  DequantizeRowQ8_0(q8.data(), y8.data(), n);
  DequantizeRowQ4_0(q4.data(), y4.data(), n);
  DequantizeRowI4G32(i4.data(), yi.data(), n);
  for (size_t i = 0; i < n; ++i) {
    const size_t b = i / kBlockSize;
    const float d8 = HalfToFloat(q8[b].d), d4 = std::fabs(HalfToFloat(q4[b].d));
    const float di = HalfToFloat(i4[b].d);
    EXPECT_LE(std::fabs(y8[i] - x[i]), d8 * (0.5f + 127.0f / 1024.0f)) << i;
    EXPECT_LE(std::fabs(y4[i] - x[i]), d4 * (1.0f + 8.0f / 1024.0f)) << i;  // 16 levels
    EXPECT_LE(std::fabs(yi[i] - x[i]), di * (0.5f + 7.0f / 1024.0f)) << i;
  }
}

}  // namespace
}  // namespace nas::liv::quant
