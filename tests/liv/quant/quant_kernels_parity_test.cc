// Every quantized kernel variant (AllQuantVariants()) against the scalar reference:
// activation quantization byte for byte (ties included), int32 block sums exactly, and
// gemv/gemm within a normalised MSE of 1e-7 on odd shapes, with the padding of y untouched.
// A variant this CPU cannot run is skipped with a message (under qemu-aarch64 the NEON one
// runs: see quant_kernels_qemu_test.cc).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"
#include "tests/liv/quant/quant_test_util.h"

namespace nas::liv::quant {
namespace {

constexpr double kMaxNmse = 1e-7;
constexpr float kSentinel = -12345.0f;
constexpr size_t kRows[] = {1, 3, 17, 33};
constexpr size_t kBlocks[] = {1, 3, 7};
constexpr size_t kTokens[] = {1, 2, 5, 9};

using testing::Random;

// sum((a - b)^2) / sum(b^2), with b the reference.
double Nmse(const std::vector<float>& a, const std::vector<float>& b) {
  double err = 0.0, ref = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    err += d * d;
    ref += static_cast<double>(b[i]) * b[i];
  }
  return ref == 0.0 ? err : err / ref;
}

std::string Shape(size_t rows, size_t blocks, size_t tokens) {
  return std::to_string(rows) + " rows x " + std::to_string(blocks) + " blocks x " +
         std::to_string(tokens) + " tokens";
}

class QuantParityTest : public ::testing::TestWithParam<const QuantKernelTable*> {
 protected:
  void SetUp() override {
    if (!GetParam()->supported()) {
      GTEST_SKIP() << "this CPU cannot run the \"" << GetParam()->name << "\" quantized kernels";
    }
  }
  const QuantKernelTable& k() const { return *GetParam(); }
  const QuantKernelTable& ref() const { return ScalarQuant(); }
};

INSTANTIATE_TEST_SUITE_P(Variants, QuantParityTest,
                         ::testing::ValuesIn(AllQuantVariants().begin(), AllQuantVariants().end()),
                         [](const auto& info) {
                           std::string name = info.param->name;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Blocks that exercise the rounding: with max|x| = 127 the scale is exactly 1 (Q8_0's d and
// i8's s), so x * id and x / s are the halves themselves; 63.5 gives d = 0.5 (id = 2).
std::vector<float> TieRows() {
  std::vector<float> x;
  for (size_t j = 0; j < kBlockSize; ++j) {
    const float half = static_cast<float>(j * 4) + 0.5f;  // 0.5, 4.5, ..., 124.5
    x.push_back(j == 0 ? 127.0f : (j % 2 ? -half : half));
  }
  for (size_t j = 0; j < kBlockSize; ++j) {
    const float near_half[] = {0.49999997f, -0.49999997f, 1.4999999f, -2.5000002f,
                               0.5f,        -0.5f,        1.5f,       -1.5f};
    x.push_back(j == 5 ? -127.0f : near_half[j % 8] * (j < 16 ? 1.0f : 7.0f));
  }
  for (size_t j = 0; j < kBlockSize; ++j) {
    x.push_back(j == 31 ? 63.5f : 0.25f * static_cast<float>(2 * j + 1) * (j % 3 ? 1.0f : -1.0f));
  }
  x.resize(x.size() + kBlockSize, 0.0f);  // all zero: d = 0
  for (size_t j = 0; j < kBlockSize; ++j) x.push_back(j == 9 ? -3e-6f : 1e-7f * j);  // tiny d
  for (size_t j = 0; j < kBlockSize; ++j) x.push_back(j == 17 ? 6e4f : -1e3f * j);   // large
  return x;
}

TEST_P(QuantParityTest, QuantizeRowQ8_0IsByteIdentical) {
  std::vector<std::vector<float>> rows = {TieRows()};
  for (unsigned seed = 0; seed < 8; ++seed) {
    const float sigma = std::ldexp(1.0f, static_cast<int>(seed * 5) - 20);
    rows.push_back(Random(7 * kBlockSize, 100 + seed, sigma));
  }
  for (const std::vector<float>& x : rows) {
    const size_t blocks = x.size() / kBlockSize;
    std::vector<BlockQ8_0> want(blocks + 1), got(blocks + 1);
    std::memset(want.data(), 0x5a, want.size() * sizeof(BlockQ8_0));
    std::memset(got.data(), 0x5a, got.size() * sizeof(BlockQ8_0));
    QuantizeRowQ8_0(x.data(), want.data(), x.size());
    k().quantize_row_q8_0(x.data(), got.data(), x.size());
    for (size_t b = 0; b <= blocks; ++b) {  // block `blocks` is past the end: untouched
      EXPECT_EQ(got[b].d, want[b].d) << "block " << b;
      for (size_t j = 0; j < kBlockSize; ++j) {
        EXPECT_EQ(got[b].qs[j], want[b].qs[j])
            << "block " << b << " element " << j
            << " x = " << x[std::min(b, blocks - 1) * kBlockSize + j];
      }
    }
  }
}

TEST_P(QuantParityTest, QuantizeRowI8IsByteIdentical) {
  std::vector<float> ties = TieRows();
  ties.resize(2 * kBlockSize);  // max|x| = 127: s = 1, the halves are exact ties
  std::vector<std::vector<float>> rows = {ties, std::vector<float>(5, 0.0f)};
  for (size_t n : {1, 7, 8, 31, 33, 100, 1000}) rows.push_back(Random(n, 200 + n, 3.0f));
  for (const std::vector<float>& x : rows) {
    std::vector<int8_t> want(x.size() + 1, 77), got(x.size() + 1, 77);
    const float s_want = ref().quantize_row_i8(x.data(), want.data(), x.size());
    const float s_got = k().quantize_row_i8(x.data(), got.data(), x.size());
    EXPECT_EQ(s_got, s_want) << "n " << x.size();
    for (size_t i = 0; i <= x.size(); ++i) {
      EXPECT_EQ(got[i], want[i]) << "n " << x.size() << " at " << i;
    }
  }
}

TEST_P(QuantParityTest, BlockSumsAreExact) {
  for (size_t blocks : {1, 3, 7, 17}) {
    const size_t n = blocks * kBlockSize;
    std::vector<BlockQ8_0> w8(blocks), a8(blocks);
    std::vector<BlockQ4_0> w4(blocks);
    std::vector<BlockI4G32> wi(blocks);
    QuantizeRowQ8_0(Random(n, 1 + blocks).data(), w8.data(), n);
    QuantizeRowQ8_0(Random(n, 2 + blocks).data(), a8.data(), n);
    QuantizeRowQ4_0(Random(n, 3 + blocks).data(), w4.data(), n);
    QuantizeRowI4G32(Random(n, 4 + blocks).data(), wi.data(), n);
    std::vector<int8_t> ai(n);
    ref().quantize_row_i8(Random(n, 5 + blocks).data(), ai.data(), n);
    // Extremes in the last block: |q| = 127 (Q8_0), nibbles 0 and 15, activations -128.
    BlockQ8_0& last8 = w8[blocks - 1];
    for (size_t j = 0; j < kBlockSize; ++j) {
      last8.qs[j] = static_cast<int8_t>(j % 2 ? -127 : 127);
      a8[blocks - 1].qs[j] = static_cast<int8_t>(j % 3 ? 127 : -127);
      ai[n - kBlockSize + j] = static_cast<int8_t>(j % 2 ? -128 : 127);
    }
    std::memset(w4[blocks - 1].qs, 0x0f, sizeof(w4[blocks - 1].qs));
    std::memset(wi[blocks - 1].qs, 0xf0, sizeof(wi[blocks - 1].qs));

    std::vector<int32_t> want(blocks + 1, -1), got(blocks + 1, -1);
    ref().block_sums_q8_0(w8.data(), a8.data(), blocks, want.data());
    k().block_sums_q8_0(w8.data(), a8.data(), blocks, got.data());
    EXPECT_EQ(got, want) << "Q8_0, " << blocks << " blocks";
    ref().block_sums_q4_0(w4.data(), a8.data(), blocks, want.data());
    k().block_sums_q4_0(w4.data(), a8.data(), blocks, got.data());
    EXPECT_EQ(got, want) << "Q4_0, " << blocks << " blocks";
    ref().block_sums_i4g32(wi.data(), ai.data(), blocks, want.data());
    k().block_sums_i4g32(wi.data(), ai.data(), blocks, got.data());
    EXPECT_EQ(got, want) << "I4G32, " << blocks << " blocks";
  }
}

// Runs one gemm through the reference and the variant (ldy = rows + 3: the padding must
// stay untouched), then gemv on token 0.
template <typename Gemm, typename Gemv>
void ExpectParity(const QuantKernelTable& k, size_t rows, size_t blocks, size_t tokens, Gemm gemm,
                  Gemv gemv) {
  const size_t ldy = rows + 3;
  std::vector<float> want(tokens * ldy, kSentinel), got(tokens * ldy, kSentinel);
  gemm(ScalarQuant(), want.data(), ldy);
  gemm(k, got.data(), ldy);
  EXPECT_LE(Nmse(got, want), kMaxNmse) << "gemm " << Shape(rows, blocks, tokens);
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t r = rows; r < ldy; ++r) {
      EXPECT_EQ(got[t * ldy + r], kSentinel)
          << "gemm wrote padding: " << Shape(rows, blocks, tokens);
    }
  }
  std::vector<float> want1(rows + 1, kSentinel), got1(rows + 1, kSentinel);
  gemv(ScalarQuant(), want1.data());
  gemv(k, got1.data());
  EXPECT_LE(Nmse(got1, want1), kMaxNmse) << "gemv " << Shape(rows, blocks, 1);
  EXPECT_EQ(got1[rows], kSentinel) << "gemv wrote past y: " << Shape(rows, blocks, 1);
}

// The odd shapes, plus one with more tokens than a gemm chunk and one with more rows than a
// gemv group, each a multiple of nothing.
std::vector<std::array<size_t, 3>> Shapes() {
  std::vector<std::array<size_t, 3>> shapes;
  for (size_t rows : kRows) {
    for (size_t blocks : kBlocks) {
      for (size_t tokens : kTokens) shapes.push_back({rows, blocks, tokens});
    }
  }
  shapes.push_back({21, 5, 131});
  shapes.push_back({75, 33, 3});
  return shapes;
}

template <typename Block, typename Quantize>
std::vector<Block> MakeBlocks(size_t n, unsigned seed, Quantize quantize) {
  std::vector<float> x = Random(n, seed);
  if (n > kBlockSize) std::fill(x.begin() + kBlockSize, x.begin() + 2 * kBlockSize, 0.0f);
  std::vector<Block> blocks(n / kBlockSize);
  quantize(x.data(), blocks.data(), n);
  return blocks;
}

TEST_P(QuantParityTest, Q8_0) {
  for (const auto& [rows, blocks, tokens] : Shapes()) {
    const auto w = MakeBlocks<BlockQ8_0>(rows * blocks * kBlockSize, 7 + rows, QuantizeRowQ8_0);
    const auto x = MakeBlocks<BlockQ8_0>(tokens * blocks * kBlockSize, 9 + tokens, QuantizeRowQ8_0);
    ExpectParity(
        k(), rows, blocks, tokens,
        [&](const QuantKernelTable& q, float* y, size_t ldy) {
          q.gemm_q8_0(w.data(), rows, blocks, x.data(), tokens, y, ldy);
        },
        [&](const QuantKernelTable& q, float* y) {
          q.gemv_q8_0(w.data(), rows, blocks, x.data(), y);
        });
  }
}

TEST_P(QuantParityTest, Q4_0) {
  for (const auto& [rows, blocks, tokens] : Shapes()) {
    const auto w = MakeBlocks<BlockQ4_0>(rows * blocks * kBlockSize, 11 + rows, QuantizeRowQ4_0);
    const auto x =
        MakeBlocks<BlockQ8_0>(tokens * blocks * kBlockSize, 13 + tokens, QuantizeRowQ8_0);
    ExpectParity(
        k(), rows, blocks, tokens,
        [&](const QuantKernelTable& q, float* y, size_t ldy) {
          q.gemm_q4_0(w.data(), rows, blocks, x.data(), tokens, y, ldy);
        },
        [&](const QuantKernelTable& q, float* y) {
          q.gemv_q4_0(w.data(), rows, blocks, x.data(), y);
        });
  }
}

TEST_P(QuantParityTest, I4G32) {
  for (const auto& [rows, blocks, tokens] : Shapes()) {
    const size_t cols = blocks * kBlockSize;
    const auto w = MakeBlocks<BlockI4G32>(rows * cols, 17 + rows, QuantizeRowI4G32);
    // Per-token int8 activations; token 1 (if any) is all zero (scale 0).
    std::vector<float> xf = Random(tokens * cols, 19 + tokens, 2.0f);
    if (tokens > 1) std::fill(xf.begin() + cols, xf.begin() + 2 * cols, 0.0f);
    std::vector<int8_t> x(tokens * cols);
    std::vector<float> scales(tokens);
    for (size_t t = 0; t < tokens; ++t) {
      scales[t] = ScalarQuant().quantize_row_i8(xf.data() + t * cols, x.data() + t * cols, cols);
    }
    ExpectParity(
        k(), rows, blocks, tokens,
        [&](const QuantKernelTable& q, float* y, size_t ldy) {
          q.gemm_i4g32(w.data(), rows, blocks, x.data(), scales.data(), tokens, y, ldy);
        },
        [&](const QuantKernelTable& q, float* y) {
          q.gemv_i4g32(w.data(), rows, blocks, x.data(), scales[0], y);
        });
  }
}

// Groups of 8 rows in the interleaved layout, made from row-major Q4_0 rows.
std::vector<BlockQ4_0x8> InterleavedRows(size_t groups, size_t blocks, unsigned seed) {
  const auto rows = MakeBlocks<BlockQ4_0>(groups * kInterleavedRows * blocks * kBlockSize, seed,
                                          QuantizeRowQ4_0);
  std::vector<BlockQ4_0x8> w(groups * blocks);
  for (size_t g = 0; g < groups; ++g) {
    InterleaveQ4_0(rows.data() + g * kInterleavedRows * blocks, blocks, w.data() + g * blocks);
  }
  return w;
}

TEST_P(QuantParityTest, BlockSumsQ4_0x8AreExact) {
  for (size_t blocks : {1, 3, 7, 17}) {
    std::vector<BlockQ4_0x8> w = InterleavedRows(1, blocks, 31 + blocks);
    const auto a =
        MakeBlocks<BlockQ8_0>(blocks * kBlockSize, 37 + blocks, QuantizeRowQ8_0);
    std::vector<BlockQ8_0> act = a;
    // Extremes in the last block: nibbles 15 (and 0) against +-127.
    std::memset(w[blocks - 1].qs, 0x0f, 64);
    std::memset(w[blocks - 1].qs + 64, 0xf0, 64);
    for (size_t j = 0; j < kBlockSize; ++j) {
      act[blocks - 1].qs[j] = static_cast<int8_t>(j % 3 ? 127 : -127);
    }
    std::vector<int32_t> offsets(blocks);
    NibbleOffsets(act.data(), blocks, offsets.data());
    std::vector<int32_t> want(8 * blocks + 1, -1), got(8 * blocks + 1, -1);
    ref().block_sums_q4_0x8(w.data(), act.data(), offsets.data(), blocks, want.data());
    k().block_sums_q4_0x8(w.data(), act.data(), offsets.data(), blocks, got.data());
    EXPECT_EQ(got, want) << blocks << " blocks";
  }
}

TEST_P(QuantParityTest, Q4_0x8) {
  for (const auto& [rows, blocks, tokens] : Shapes()) {
    const size_t groups = (rows + kInterleavedRows - 1) / kInterleavedRows;
    const auto w = InterleavedRows(groups, blocks, 41 + rows);
    const auto x =
        MakeBlocks<BlockQ8_0>(tokens * blocks * kBlockSize, 43 + tokens, QuantizeRowQ8_0);
    std::vector<int32_t> offsets(tokens * blocks);
    NibbleOffsets(x.data(), x.size(), offsets.data());
    ExpectParity(
        k(), groups * kInterleavedRows, blocks, tokens,
        [&](const QuantKernelTable& q, float* y, size_t ldy) {
          q.gemm_q4_0x8(w.data(), groups, blocks, x.data(), offsets.data(), tokens, y, ldy);
        },
        [&](const QuantKernelTable& q, float* y) {
          q.gemv_q4_0x8(w.data(), groups, blocks, x.data(), offsets.data(), y);
        });
  }
}

TEST_P(QuantParityTest, F16x8) {
  for (const auto& [rows, blocks, tokens] : Shapes()) {
    const size_t groups = (rows + kInterleavedRows - 1) / kInterleavedRows;
    for (size_t cols : {size_t{8}, blocks * 8 + 16, blocks * 32}) {
      const size_t n = groups * kInterleavedRows * cols, ldx = cols + 5;
      std::vector<uint16_t> rows_major(n), w(n);
      QuantizeRowF16(Random(n, 47 + rows * cols).data(), rows_major.data(), n);
      for (size_t g = 0; g < groups; ++g) {
        InterleaveF16(rows_major.data() + g * kInterleavedRows * cols, cols,
                      w.data() + g * kInterleavedRows * cols);
      }
      const std::vector<float> x = Random(tokens * ldx, 53 + tokens * cols);
      ExpectParity(
          k(), groups * kInterleavedRows, cols, tokens,
          [&](const QuantKernelTable& q, float* y, size_t ldy) {
            q.gemm_f16x8(w.data(), groups, cols, x.data(), ldx, tokens, y, ldy);
          },
          [&](const QuantKernelTable& q, float* y) {
            q.gemv_f16x8(w.data(), groups, cols, x.data(), y);
          });
    }
  }
}

TEST_P(QuantParityTest, F16) {
  for (const auto& [rows, blocks, tokens] : Shapes()) {
    for (size_t cols : {blocks, blocks * 8, blocks * 8 + 1, blocks * 32 + 7}) {
      const size_t ldw = cols + 3, ldx = cols + 5;  // strides wider than the rows
      std::vector<uint16_t> w(rows * ldw);
      QuantizeRowF16(Random(w.size(), 23 + rows * cols).data(), w.data(), w.size());
      const std::vector<float> x = Random(tokens * ldx, 29 + tokens * cols);
      ExpectParity(
          k(), rows, cols, tokens,
          [&](const QuantKernelTable& q, float* y, size_t ldy) {
            q.gemm_f16(w.data(), ldw, rows, cols, x.data(), ldx, tokens, y, ldy);
          },
          [&](const QuantKernelTable& q, float* y) {
            q.gemv_f16(w.data(), ldw, rows, cols, x.data(), y);
          });
    }
  }
}

}  // namespace
}  // namespace nas::liv::quant
