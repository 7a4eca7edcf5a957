// The Q4_0x8 and F16x8 layouts (interleaved.h) by hand: where each byte and scale of eight rows goes,
// the lossless round trip, the activation offsets, and the scalar reference of the
// interleaved kernels giving exactly the floats of the row-major Q4_0 reference.

#include "liv/quant/interleaved.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"

namespace nas::liv::quant {
namespace {

// Eight rows of `blocks` blocks whose bytes name their place: d = 0x100 * r + b,
// qs[j] = 16 * r + j (distinct within a block).
std::vector<BlockQ4_0> NamedRows(size_t blocks) {
  std::vector<BlockQ4_0> rows(kInterleavedRows * blocks);
  for (size_t r = 0; r < kInterleavedRows; ++r) {
    for (size_t b = 0; b < blocks; ++b) {
      BlockQ4_0& block = rows[r * blocks + b];
      block.d = static_cast<uint16_t>(0x100 * r + b);
      for (size_t j = 0; j < 16; ++j) block.qs[j] = static_cast<uint8_t>(16 * r + j + b);
    }
  }
  return rows;
}

TEST(InterleavedQ4_0, BytesGoWhereTheLayoutSays) {
  const size_t blocks = 3;
  const std::vector<BlockQ4_0> rows = NamedRows(blocks);
  std::vector<BlockQ4_0x8> group(blocks);
  InterleaveQ4_0(rows.data(), blocks, group.data());
  // Block 1: row 5's scale; bytes 4..7 of every row in the second 32 bytes, row r at 4 r.
  EXPECT_EQ(group[1].d[5], 0x501);
  EXPECT_EQ(group[1].qs[32 + 4 * 0 + 0], 16 * 0 + 4 + 1);
  EXPECT_EQ(group[1].qs[32 + 4 * 3 + 2], 16 * 3 + 6 + 1);
  EXPECT_EQ(group[2].qs[96 + 4 * 7 + 3], 16 * 7 + 15 + 2);
  EXPECT_EQ(group[0].qs[0], 0);
  EXPECT_EQ(group[0].qs[4], 16);  // row 1's first byte follows row 0's first four
}

TEST(InterleavedQ4_0, RoundTripIsByteExact) {
  const size_t blocks = 7;
  std::mt19937 rng(5);
  std::vector<BlockQ4_0> rows(kInterleavedRows * blocks);
  for (BlockQ4_0& b : rows) {
    b.d = static_cast<uint16_t>(rng());
    for (uint8_t& q : b.qs) q = static_cast<uint8_t>(rng());
  }
  std::vector<BlockQ4_0x8> group(blocks);
  InterleaveQ4_0(rows.data(), blocks, group.data());
  for (size_t r = 0; r < kInterleavedRows; ++r) {
    std::vector<BlockQ4_0> back(blocks);
    DeinterleaveQ4_0(group.data(), blocks, r, back.data());
    EXPECT_EQ(std::memcmp(back.data(), rows.data() + r * blocks, blocks * sizeof(BlockQ4_0)), 0)
        << "row " << r;
  }
}

TEST(InterleavedQ4_0, NibbleOffsetsAreMinusEightTimesTheSum) {
  BlockQ8_0 x[2] = {};
  for (size_t j = 0; j < kBlockSize; ++j) {
    x[0].qs[j] = static_cast<int8_t>(j);               // sum 496
    x[1].qs[j] = static_cast<int8_t>(j % 2 ? -127 : 1);  // 16 - 16 * 127 = -2016
  }
  int32_t offsets[2];
  NibbleOffsets(x, 2, offsets);
  EXPECT_EQ(offsets[0], -8 * 496);
  EXPECT_EQ(offsets[1], -8 * -2016);
}

// The scalar interleaved gemm equals the scalar row-major one float for float.
TEST(InterleavedQ4_0, ScalarKernelsEqualTheRowMajorReference) {
  const size_t groups = 3, blocks = 5, tokens = 4, rows = groups * kInterleavedRows;
  std::mt19937 rng(9);
  std::normal_distribution<float> normal;
  std::vector<float> wf(rows * blocks * kBlockSize), xf(tokens * blocks * kBlockSize);
  for (float& v : wf) v = normal(rng);
  for (float& v : xf) v = normal(rng);
  std::vector<BlockQ4_0> w(rows * blocks);
  std::vector<BlockQ8_0> x(tokens * blocks);
  QuantizeRowQ4_0(wf.data(), w.data(), wf.size());
  QuantizeRowQ8_0(xf.data(), x.data(), xf.size());
  std::vector<BlockQ4_0x8> wx(groups * blocks);
  for (size_t g = 0; g < groups; ++g) {
    InterleaveQ4_0(w.data() + g * kInterleavedRows * blocks, blocks, wx.data() + g * blocks);
  }
  std::vector<int32_t> offsets(tokens * blocks);
  NibbleOffsets(x.data(), x.size(), offsets.data());

  const QuantKernelTable& s = ScalarQuant();
  std::vector<float> want(tokens * rows), got(tokens * rows);
  s.gemm_q4_0(w.data(), rows, blocks, x.data(), tokens, want.data(), rows);
  s.gemm_q4_0x8(wx.data(), groups, blocks, x.data(), offsets.data(), tokens, got.data(), rows);
  EXPECT_EQ(got, want);
  s.gemv_q4_0x8(wx.data(), groups, blocks, x.data(), offsets.data(), got.data());
  EXPECT_EQ(std::vector<float>(got.begin(), got.begin() + rows),
            std::vector<float>(want.begin(), want.begin() + rows));
}

TEST(InterleavedF16, LayoutAndRoundTrip) {
  const size_t cols = 24;
  std::vector<uint16_t> rows(kInterleavedRows * cols);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint16_t>(i);  // r * 24 + k
  std::vector<uint16_t> group(rows.size());
  InterleaveF16(rows.data(), cols, group.data());
  // Columns 8..15 (chunk 1) of row 3 sit at (1 * 8 + 3) * 8.
  EXPECT_EQ(group[(1 * 8 + 3) * 8 + 0], 3 * 24 + 8);
  EXPECT_EQ(group[(2 * 8 + 7) * 8 + 7], 7 * 24 + 23);
  EXPECT_EQ(group[8], 24);  // row 1's first half follows row 0's first eight
  for (size_t r = 0; r < kInterleavedRows; ++r) {
    std::vector<uint16_t> back(cols);
    DeinterleaveF16(group.data(), cols, r, back.data());
    EXPECT_EQ(back, std::vector<uint16_t>(rows.begin() + r * cols, rows.begin() + (r + 1) * cols))
        << "row " << r;
  }
}

// The scalar interleaved F16 gemm equals the scalar row-major one float for float.
TEST(InterleavedF16, ScalarKernelsEqualTheRowMajorReference) {
  const size_t groups = 2, cols = 40, tokens = 3, rows = groups * kInterleavedRows;
  std::mt19937 rng(13);
  std::normal_distribution<float> normal;
  std::vector<float> wf(rows * cols), x(tokens * cols);
  for (float& v : wf) v = normal(rng);
  for (float& v : x) v = normal(rng);
  std::vector<uint16_t> w(wf.size()), wx(wf.size());
  QuantizeRowF16(wf.data(), w.data(), wf.size());
  for (size_t g = 0; g < groups; ++g) {
    InterleaveF16(w.data() + g * kInterleavedRows * cols, cols, wx.data() + g * kInterleavedRows * cols);
  }
  const QuantKernelTable& s = ScalarQuant();
  std::vector<float> want(tokens * rows), got(tokens * rows);
  s.gemm_f16(w.data(), cols, rows, cols, x.data(), cols, tokens, want.data(), rows);
  s.gemm_f16x8(wx.data(), groups, cols, x.data(), cols, tokens, got.data(), rows);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace nas::liv::quant
