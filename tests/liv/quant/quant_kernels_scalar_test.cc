// Tests of the scalar quantized kernel table: hand-computed block sums and activation
// quantization, then gemv/gemm/block sums on odd shapes against a double-precision
// reference computed from the dequantized weights and activations, and the dispatch.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"
#include "tests/liv/quant/quant_test_util.h"

namespace nas::liv::quant {
namespace {

constexpr size_t kRows[] = {1, 3, 17};
constexpr size_t kBlocks[] = {1, 3, 7};
constexpr size_t kTokens[] = {1, 2, 5};
constexpr float kSentinel = -12345.0f;

using testing::Random;

// The f32 result may differ from the exact value of its dequantized inputs by the f32
// rounding of each scaled block term and of the running sum: bounded relative to the sum
// of |terms| by (terms + 4) float epsilons.
void ExpectClose(float got, double want, double abs_sum, size_t terms, const std::string& what) {
  const double tol = (static_cast<double>(terms) + 4.0) * 1.1920929e-7 * abs_sum + 1e-30;
  EXPECT_NEAR(got, want, tol) << what;
}

// Independent integer decoding of the formats (value of element j of a block).
int Q8(const BlockQ8_0& b, size_t j) { return b.qs[j]; }
template <typename Block>
int Nibble(const Block& b, size_t j) {
  return j < 16 ? (b.qs[j] & 0x0f) - 8 : (b.qs[j - 16] >> 4) - 8;
}

// ---- hand-computed values ----------------------------------------------------------------

TEST(QuantScalar, BlockSumsByHand) {
  BlockQ8_0 w{}, a{};
  for (size_t j = 0; j < kBlockSize; ++j) {
    w.qs[j] = static_cast<int8_t>(j);
    a.qs[j] = static_cast<int8_t>(j % 2 == 0 ? 1 : -2);
  }
  int32_t sum = 0;
  ScalarQuant().block_sums_q8_0(&w, &a, 1, &sum);
  // sum of even j (0+2+...+30 = 240) - 2 * sum of odd j (1+3+...+31 = 256) = -272.
  EXPECT_EQ(sum, -272);

  // Q4_0 nibbles: byte j = (low j % 16) | (high 15 - j % 16): weights j - 8 and 7 - j.
  BlockQ4_0 w4{};
  for (size_t j = 0; j < 16; ++j) w4.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  for (size_t j = 0; j < kBlockSize; ++j) a.qs[j] = static_cast<int8_t>(j < 16 ? 1 : 3);
  // sum_j (j - 8) + 3 * sum_j (7 - j) = -8 + 3 * -8 = -32 (j < 16).
  ScalarQuant().block_sums_q4_0(&w4, &a, 1, &sum);
  EXPECT_EQ(sum, -32);

  // Extremes: -8 * -128 and 7 * 127 per element stay exact in int32.
  BlockI4G32 wi{};
  std::memset(wi.qs, 0x00, sizeof(wi.qs));  // every weight -8
  int8_t ai[kBlockSize];
  for (int8_t& v : ai) v = -128;
  ScalarQuant().block_sums_i4g32(&wi, ai, 1, &sum);
  EXPECT_EQ(sum, 32 * 1024);
  std::memset(wi.qs, 0xFF, sizeof(wi.qs));  // every weight 7
  for (int8_t& v : ai) v = 127;
  ScalarQuant().block_sums_i4g32(&wi, ai, 1, &sum);
  EXPECT_EQ(sum, 32 * 889);
}

TEST(QuantScalar, GemvByHand) {
  // One row of two Q8_0 blocks, scales 0.5 and 2, against activation scales 1 and 0.25.
  BlockQ8_0 w[2]{}, x[2]{};
  w[0].d = FloatToHalf(0.5f);
  w[1].d = FloatToHalf(2.0f);
  x[0].d = FloatToHalf(1.0f);
  x[1].d = FloatToHalf(0.25f);
  w[0].qs[0] = 10;
  x[0].qs[0] = 3;  // 30 * 0.5
  w[1].qs[31] = -4;
  x[1].qs[31] = 5;  // -20 * 0.5
  float y = 0.0f;
  ScalarQuant().gemv_q8_0(w, 1, 2, x, &y);
  EXPECT_EQ(y, 15.0f - 10.0f);

  // I4G32: weights 7 * 1.0 and -8 * 0.5 against int8 activations 2 and 3, scale 0.1.
  BlockI4G32 wi[2]{};
  std::memset(wi[0].qs, 0x88, 16);
  std::memset(wi[1].qs, 0x88, 16);
  wi[0].d = FloatToHalf(1.0f);
  wi[1].d = FloatToHalf(0.5f);
  wi[0].qs[0] = 0x8F;  // element 0 -> 7
  wi[1].qs[0] = 0x08;  // element 16 -> -8
  int8_t xi[2 * kBlockSize] = {};
  xi[0] = 2;
  xi[kBlockSize + 16] = 3;
  ScalarQuant().gemv_i4g32(wi, 1, 2, xi, 0.1f, &y);
  EXPECT_FLOAT_EQ(y, (14.0f - 12.0f) * 0.1f);

  // F16 with a row stride wider than the row.
  const uint16_t wf[] = {FloatToHalf(1.0f), FloatToHalf(-2.0f), 0x7C00,
                         FloatToHalf(0.5f), FloatToHalf(4.0f), 0x7C00};
  const float xf[] = {3.0f, 1.0f};
  float yf[2];
  ScalarQuant().gemv_f16(wf, 3, 2, 2, xf, yf);
  EXPECT_EQ(yf[0], 1.0f);
  EXPECT_EQ(yf[1], 5.5f);
}

TEST(QuantScalar, QuantizeRowI8) {
  // max|x| = 127: s = 1, q = round(x) (half away from zero).
  const float x[6] = {-127.0f, 0.5f, -0.5f, 2.5f, -63.5f, 0.49999997f};
  int8_t q[6];
  EXPECT_EQ(ScalarQuant().quantize_row_i8(x, q, 6), 1.0f);
  const int8_t want[6] = {-127, 1, -1, 3, -64, 0};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(q[i], want[i]) << i;
  // max|x| = 12.7: s = 0.1f; q = round(x / s).
  const float z[3] = {12.7f, -1.0f, 0.04f};
  const float s = ScalarQuant().quantize_row_i8(z, q, 3);
  EXPECT_EQ(s, 12.7f / 127.0f);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -10);
  EXPECT_EQ(q[2], 0);
  const float zeros[4] = {};
  int8_t qz[4] = {1, 1, 1, 1};
  EXPECT_EQ(ScalarQuant().quantize_row_i8(zeros, qz, 4), 0.0f);
  for (int8_t v : qz) EXPECT_EQ(v, 0);
}

TEST(QuantScalar, QuantizeRowQ8_0IsTheReference) {
  const std::vector<float> x = Random(5 * kBlockSize, 3);
  std::vector<BlockQ8_0> a(5), b(5);
  QuantizeRowQ8_0(x.data(), a.data(), x.size());
  ScalarQuant().quantize_row_q8_0(x.data(), b.data(), x.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(BlockQ8_0)), 0);
}

// ---- odd shapes against the double-precision reference -----------------------------------

// Weights of one format with their dequantized values.
template <typename Block>
struct Weights {
  std::vector<Block> blocks;
  std::vector<float> values;
};

template <typename Block, typename Quantize, typename Dequantize>
Weights<Block> MakeWeights(size_t rows, size_t blocks, unsigned seed, Quantize quantize,
                           Dequantize dequantize) {
  const size_t cols = blocks * kBlockSize;
  std::vector<float> x = Random(rows * cols, seed);
  // Block 1 (if any) is all zero: scale 0.
  if (rows * blocks > 1) std::fill(x.begin() + kBlockSize, x.begin() + 2 * kBlockSize, 0.0f);
  Weights<Block> w{std::vector<Block>(rows * blocks), std::vector<float>(rows * cols)};
  quantize(x.data(), w.blocks.data(), x.size());
  dequantize(w.blocks.data(), w.values.data(), x.size());
  return w;
}

// Q8_0 activations for `tokens` rows, with their dequantized values.
Weights<BlockQ8_0> MakeQ8Activations(size_t tokens, size_t blocks, unsigned seed) {
  return MakeWeights<BlockQ8_0>(tokens, blocks, seed, QuantizeRowQ8_0, DequantizeRowQ8_0);
}

// Reference y[t][r] = sum_k w[r][k] * a[t][k] in double, and sum_k |w a|.
void Reference(const std::vector<float>& w, const std::vector<float>& a, size_t rows,
               size_t tokens, size_t cols, std::vector<double>& y, std::vector<double>& abs) {
  y.assign(tokens * rows, 0.0);
  abs.assign(tokens * rows, 0.0);
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < cols; ++k) {
        const double p = static_cast<double>(w[r * cols + k]) * a[t * cols + k];
        y[t * rows + r] += p;
        abs[t * rows + r] += std::fabs(p);
      }
    }
  }
}

std::string Shape(size_t rows, size_t blocks, size_t tokens, size_t r, size_t t) {
  return "rows " + std::to_string(rows) + " blocks " + std::to_string(blocks) + " tokens " +
         std::to_string(tokens) + " at r " + std::to_string(r) + " t " + std::to_string(t);
}

// Runs gemm (ldy = rows + 2, the padding must stay untouched) and gemv on token 0.
template <typename Gemm, typename Gemv>
void CheckShapes(size_t rows, size_t blocks, size_t tokens, const std::vector<double>& want,
                 const std::vector<double>& abs, size_t terms, Gemm gemm, Gemv gemv) {
  const size_t ldy = rows + 2;
  std::vector<float> y(tokens * ldy, kSentinel);
  gemm(y.data(), ldy);
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t r = 0; r < rows; ++r) {
      ExpectClose(y[t * ldy + r], want[t * rows + r], abs[t * rows + r], terms,
                  Shape(rows, blocks, tokens, r, t));
    }
    EXPECT_EQ(y[t * ldy + rows], kSentinel);
    EXPECT_EQ(y[t * ldy + rows + 1], kSentinel);
  }
  std::vector<float> v(rows + 1, kSentinel);
  gemv(v.data());
  for (size_t r = 0; r < rows; ++r) {
    // gemm and gemv do the same arithmetic in the scalar reference.
    EXPECT_EQ(v[r], y[r]) << Shape(rows, blocks, 1, r, 0);
  }
  EXPECT_EQ(v[rows], kSentinel);
}

TEST(QuantScalar, Q8_0OddShapes) {
  const QuantKernelTable& k = ScalarQuant();
  for (size_t rows : kRows) {
    for (size_t blocks : kBlocks) {
      for (size_t tokens : kTokens) {
        const auto w = MakeWeights<BlockQ8_0>(rows, blocks, 11 + rows * blocks,
                                              QuantizeRowQ8_0, DequantizeRowQ8_0);
        const auto a = MakeQ8Activations(tokens, blocks, 97 + tokens * blocks);
        std::vector<double> want, abs;
        Reference(w.values, a.values, rows, tokens, blocks * kBlockSize, want, abs);
        CheckShapes(
            rows, blocks, tokens, want, abs, blocks,
            [&](float* y, size_t ldy) {
              k.gemm_q8_0(w.blocks.data(), rows, blocks, a.blocks.data(), tokens, y, ldy);
            },
            [&](float* y) { k.gemv_q8_0(w.blocks.data(), rows, blocks, a.blocks.data(), y); });
      }
    }
  }
}

TEST(QuantScalar, Q4_0OddShapes) {
  const QuantKernelTable& k = ScalarQuant();
  for (size_t rows : kRows) {
    for (size_t blocks : kBlocks) {
      for (size_t tokens : kTokens) {
        const auto w = MakeWeights<BlockQ4_0>(rows, blocks, 13 + rows * blocks,
                                              QuantizeRowQ4_0, DequantizeRowQ4_0);
        const auto a = MakeQ8Activations(tokens, blocks, 101 + tokens * blocks);
        std::vector<double> want, abs;
        Reference(w.values, a.values, rows, tokens, blocks * kBlockSize, want, abs);
        CheckShapes(
            rows, blocks, tokens, want, abs, blocks,
            [&](float* y, size_t ldy) {
              k.gemm_q4_0(w.blocks.data(), rows, blocks, a.blocks.data(), tokens, y, ldy);
            },
            [&](float* y) { k.gemv_q4_0(w.blocks.data(), rows, blocks, a.blocks.data(), y); });
      }
    }
  }
}

TEST(QuantScalar, I4G32OddShapes) {
  const QuantKernelTable& k = ScalarQuant();
  for (size_t rows : kRows) {
    for (size_t blocks : kBlocks) {
      for (size_t tokens : kTokens) {
        const size_t cols = blocks * kBlockSize;
        const auto w = MakeWeights<BlockI4G32>(rows, blocks, 17 + rows * blocks,
                                               QuantizeRowI4G32, DequantizeRowI4G32);
        // Per-token int8 activations; token 1 (if any) is all zero (scale 0).
        std::vector<float> x = Random(tokens * cols, 103 + tokens * blocks, 2.0f);
        if (tokens > 1) std::fill(x.begin() + cols, x.begin() + 2 * cols, 0.0f);
        std::vector<int8_t> q(tokens * cols);
        std::vector<float> scales(tokens), a(tokens * cols);
        for (size_t t = 0; t < tokens; ++t) {
          scales[t] = k.quantize_row_i8(x.data() + t * cols, q.data() + t * cols, cols);
          for (size_t i = 0; i < cols; ++i) a[t * cols + i] = q[t * cols + i] * scales[t];
        }
        std::vector<double> want, abs;
        Reference(w.values, a, rows, tokens, cols, want, abs);
        CheckShapes(
            rows, blocks, tokens, want, abs, blocks,
            [&](float* y, size_t ldy) {
              k.gemm_i4g32(w.blocks.data(), rows, blocks, q.data(), scales.data(), tokens, y,
                           ldy);
            },
            [&](float* y) {
              k.gemv_i4g32(w.blocks.data(), rows, blocks, q.data(), scales[0], y);
            });
      }
    }
  }
}

TEST(QuantScalar, F16OddShapes) {
  const QuantKernelTable& k = ScalarQuant();
  for (size_t rows : kRows) {
    for (size_t cols : {size_t{1}, size_t{7}, size_t{33}, size_t{224}}) {
      for (size_t tokens : kTokens) {
        // Row strides wider than the rows: ldw = cols + 3, ldx = cols + 5.
        const size_t ldw = cols + 3, ldx = cols + 5;
        const std::vector<float> wf = Random(rows * ldw, 19 + rows * cols);
        std::vector<uint16_t> w(rows * ldw);
        QuantizeRowF16(wf.data(), w.data(), w.size());
        const std::vector<float> x = Random(tokens * ldx, 107 + tokens * cols);
        std::vector<float> wd(rows * cols), xd(tokens * cols);
        for (size_t r = 0; r < rows; ++r) {
          for (size_t c = 0; c < cols; ++c) wd[r * cols + c] = HalfToFloat(w[r * ldw + c]);
        }
        for (size_t t = 0; t < tokens; ++t) {
          for (size_t c = 0; c < cols; ++c) xd[t * cols + c] = x[t * ldx + c];
        }
        std::vector<double> want, abs;
        Reference(wd, xd, rows, tokens, cols, want, abs);
        CheckShapes(
            rows, cols, tokens, want, abs, cols,
            [&](float* y, size_t ldy) {
              k.gemm_f16(w.data(), ldw, rows, cols, x.data(), ldx, tokens, y, ldy);
            },
            [&](float* y) { k.gemv_f16(w.data(), ldw, rows, cols, x.data(), y); });
      }
    }
  }
}

// Block sums against an independent integer decoding, and consistent with gemv.
TEST(QuantScalar, BlockSumsOddShapes) {
  const QuantKernelTable& k = ScalarQuant();
  for (size_t blocks : {size_t{1}, size_t{3}, size_t{7}, size_t{17}}) {
    const size_t cols = blocks * kBlockSize;
    const auto w8 = MakeWeights<BlockQ8_0>(1, blocks, 23 + blocks, QuantizeRowQ8_0,
                                           DequantizeRowQ8_0);
    const auto w4 = MakeWeights<BlockQ4_0>(1, blocks, 29 + blocks, QuantizeRowQ4_0,
                                           DequantizeRowQ4_0);
    const auto wi = MakeWeights<BlockI4G32>(1, blocks, 31 + blocks, QuantizeRowI4G32,
                                            DequantizeRowI4G32);
    const auto a = MakeQ8Activations(1, blocks, 37 + blocks);
    std::vector<int8_t> ai(cols);
    const std::vector<float> xi = Random(cols, 41 + blocks);
    const float scale = k.quantize_row_i8(xi.data(), ai.data(), cols);
    std::vector<int32_t> s8(blocks + 1, -1), s4(blocks + 1, -1), si(blocks + 1, -1);
    k.block_sums_q8_0(w8.blocks.data(), a.blocks.data(), blocks, s8.data());
    k.block_sums_q4_0(w4.blocks.data(), a.blocks.data(), blocks, s4.data());
    k.block_sums_i4g32(wi.blocks.data(), ai.data(), blocks, si.data());
    double y8 = 0.0, y4 = 0.0, yi = 0.0;
    for (size_t b = 0; b < blocks; ++b) {
      int32_t want8 = 0, want4 = 0, wanti = 0;
      for (size_t j = 0; j < kBlockSize; ++j) {
        want8 += Q8(w8.blocks[b], j) * Q8(a.blocks[b], j);
        want4 += Nibble(w4.blocks[b], j) * Q8(a.blocks[b], j);
        wanti += Nibble(wi.blocks[b], j) * ai[b * kBlockSize + j];
      }
      EXPECT_EQ(s8[b], want8) << b;
      EXPECT_EQ(s4[b], want4) << b;
      EXPECT_EQ(si[b], wanti) << b;
      const double da = HalfToFloat(a.blocks[b].d);
      y8 += s8[b] * HalfToFloat(w8.blocks[b].d) * da;
      y4 += s4[b] * HalfToFloat(w4.blocks[b].d) * da;
      yi += si[b] * static_cast<double>(HalfToFloat(wi.blocks[b].d)) * scale;
    }
    EXPECT_EQ(s8[blocks], -1);
    EXPECT_EQ(s4[blocks], -1);
    EXPECT_EQ(si[blocks], -1);
    float g8, g4, gi;
    k.gemv_q8_0(w8.blocks.data(), 1, blocks, a.blocks.data(), &g8);
    k.gemv_q4_0(w4.blocks.data(), 1, blocks, a.blocks.data(), &g4);
    k.gemv_i4g32(wi.blocks.data(), 1, blocks, ai.data(), scale, &gi);
    EXPECT_NEAR(g8, y8, 1e-5 * (1.0 + std::fabs(y8)));
    EXPECT_NEAR(g4, y4, 1e-5 * (1.0 + std::fabs(y4)));
    EXPECT_NEAR(gi, yi, 1e-5 * (1.0 + std::fabs(yi)));
  }
}

// ---- dispatch ----------------------------------------------------------------------------

TEST(QuantDispatch, ScalarFirstNamesUniqueActiveSupported) {
  const auto all = AllQuantVariants();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all[0], &ScalarQuant());
  EXPECT_STREQ(ScalarQuant().name, "scalar");
  EXPECT_TRUE(ScalarQuant().supported());
  std::set<std::string> names;
  for (const QuantKernelTable* table : all) {
    EXPECT_TRUE(names.insert(table->name).second) << table->name;
    EXPECT_NE(table->quantize_row_q8_0, nullptr);
    EXPECT_NE(table->quantize_row_i8, nullptr);
    EXPECT_NE(table->block_sums_q8_0, nullptr);
    EXPECT_NE(table->block_sums_q4_0, nullptr);
    EXPECT_NE(table->block_sums_i4g32, nullptr);
    EXPECT_NE(table->gemv_q8_0, nullptr);
    EXPECT_NE(table->gemv_q4_0, nullptr);
    EXPECT_NE(table->gemv_i4g32, nullptr);
    EXPECT_NE(table->gemv_f16, nullptr);
    EXPECT_NE(table->gemm_q8_0, nullptr);
    EXPECT_NE(table->gemm_q4_0, nullptr);
    EXPECT_NE(table->gemm_i4g32, nullptr);
    EXPECT_NE(table->gemm_f16, nullptr);
  }
  const QuantKernelTable& active = ActiveQuant();
  EXPECT_TRUE(active.supported());
  const char* forced = std::getenv("NAS_LIV_QUANT_KERNELS");
  if (forced == nullptr || forced[0] == '\0') {
    // Without an override the active variant is the last supported one.
    const QuantKernelTable* best = nullptr;
    for (const QuantKernelTable* table : all) {
      if (table->supported()) best = table;
    }
    EXPECT_EQ(&active, best);
  }
}

}  // namespace
}  // namespace nas::liv::quant
