// The scalar reference of the quantized kernels: plain loops that follow quant_kernels.h
// literally (the int32 sum of each block, scaled and accumulated in f32 block by block, in
// order). Every other variant is tested against these functions.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"
#include "liv/quant/quant_variants.h"

namespace nas::liv::quant {
namespace scalar {
namespace {

constexpr size_t kHalf = kBlockSize / 2;

int32_t DotQ8_0(const BlockQ8_0& w, const BlockQ8_0& a) {
  int32_t sum = 0;
  for (size_t j = 0; j < kBlockSize; ++j) sum += int32_t{w.qs[j]} * int32_t{a.qs[j]};
  return sum;
}

// Q4_0 and I4G32 share the nibble layout: weight j low nibble of byte j, j + 16 high.
int32_t DotNibbles(const uint8_t* qs, const int8_t* a) {
  int32_t sum = 0;
  for (size_t j = 0; j < kHalf; ++j) {
    sum += ((qs[j] & 0x0f) - 8) * int32_t{a[j]};
    sum += ((qs[j] >> 4) - 8) * int32_t{a[j + kHalf]};
  }
  return sum;
}

float RowQ8_0(const BlockQ8_0* row, const BlockQ8_0* x, size_t blocks) {
  float acc = 0.0f;
  for (size_t b = 0; b < blocks; ++b) {
    acc += static_cast<float>(DotQ8_0(row[b], x[b])) *
           (HalfToFloat(row[b].d) * HalfToFloat(x[b].d));
  }
  return acc;
}

float RowQ4_0(const BlockQ4_0* row, const BlockQ8_0* x, size_t blocks) {
  float acc = 0.0f;
  for (size_t b = 0; b < blocks; ++b) {
    acc += static_cast<float>(DotNibbles(row[b].qs, x[b].qs)) *
           (HalfToFloat(row[b].d) * HalfToFloat(x[b].d));
  }
  return acc;
}

float RowI4G32(const BlockI4G32* row, const int8_t* x, float x_scale, size_t blocks) {
  float acc = 0.0f;
  for (size_t b = 0; b < blocks; ++b) {
    acc += static_cast<float>(DotNibbles(row[b].qs, x + b * kBlockSize)) *
           HalfToFloat(row[b].d);
  }
  return acc * x_scale;
}

// Row r of the group at w (interleaved.h) as Q4_0 block b.
BlockQ4_0 InterleavedBlock(const BlockQ4_0x8* w, size_t b, size_t r) {
  BlockQ4_0 block;
  DeinterleaveQ4_0(w + b, 1, r, &block);
  return block;
}

// Row r of a Q4_0x8 group, block by block in the order RowQ4_0 takes: the same floats.
float RowQ4_0x8(const BlockQ4_0x8* group, size_t r, const BlockQ8_0* x, size_t blocks) {
  float acc = 0.0f;
  for (size_t b = 0; b < blocks; ++b) {
    const BlockQ4_0 w = InterleavedBlock(group, b, r);
    acc += static_cast<float>(DotNibbles(w.qs, x[b].qs)) * (HalfToFloat(w.d) * HalfToFloat(x[b].d));
  }
  return acc;
}

float RowF16(const uint16_t* row, const float* x, size_t cols) {
  float acc = 0.0f;
  for (size_t k = 0; k < cols; ++k) acc += HalfToFloat(row[k]) * x[k];
  return acc;
}

}  // namespace

float QuantizeRowI8(const float* x, int8_t* y, size_t n) {
  float amax = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float v = std::fabs(x[i]);
    amax = amax > v ? amax : v;
  }
  const float s = amax / 127.0f;
  for (size_t i = 0; i < n; ++i) {
    y[i] = s != 0.0f ? static_cast<int8_t>(std::round(x[i] / s)) : int8_t{0};
  }
  return s;
}

void BlockSumsQ8_0(const BlockQ8_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) sums[b] = DotQ8_0(w[b], a[b]);
}

void BlockSumsQ4_0(const BlockQ4_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) sums[b] = DotNibbles(w[b].qs, a[b].qs);
}

void BlockSumsI4G32(const BlockI4G32* w, const int8_t* a, size_t blocks, int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) sums[b] = DotNibbles(w[b].qs, a + b * kBlockSize);
}

// The offsets are what the SIMD variants add for the -8; the reference does without.
void BlockSumsQ4_0x8(const BlockQ4_0x8* w, const BlockQ8_0* a, const int32_t*, size_t blocks,
                     int32_t* sums) {
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t r = 0; r < kInterleavedRows; ++r) {
      sums[kInterleavedRows * b + r] = DotNibbles(InterleavedBlock(w, b, r).qs, a[b].qs);
    }
  }
}

void GemvQ4_0x8(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                const int32_t*, float* y) {
  for (size_t g = 0; g < groups; ++g) {
    for (size_t r = 0; r < kInterleavedRows; ++r) {
      y[g * kInterleavedRows + r] = RowQ4_0x8(w + g * blocks, r, x, blocks);
    }
  }
}

void GemmQ4_0x8(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                const int32_t* x_offsets, size_t tokens, float* y, size_t ldy) {
  for (size_t t = 0; t < tokens; ++t) {
    GemvQ4_0x8(w, groups, blocks, x + t * blocks, x_offsets + t * blocks, y + t * ldy);
  }
}

// Row by row in column order, as RowF16: the same floats as the row-major reference.
void GemvF16x8(const uint16_t* w, size_t groups, size_t cols, const float* x, float* y) {
  for (size_t g = 0; g < groups; ++g) {
    const uint16_t* group = w + g * kInterleavedRows * cols;
    for (size_t r = 0; r < kInterleavedRows; ++r) {
      float acc = 0.0f;
      for (size_t k = 0; k < cols; ++k) {
        const size_t c = k / kF16Chunk, i = k % kF16Chunk;
        acc += HalfToFloat(group[(c * kInterleavedRows + r) * kF16Chunk + i]) * x[k];
      }
      y[g * kInterleavedRows + r] = acc;
    }
  }
}

void GemmF16x8(const uint16_t* w, size_t groups, size_t cols, const float* x, size_t ldx,
               size_t tokens, float* y, size_t ldy) {
  for (size_t t = 0; t < tokens; ++t) GemvF16x8(w, groups, cols, x + t * ldx, y + t * ldy);
}

void GemvQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y) {
  for (size_t r = 0; r < rows; ++r) y[r] = RowQ8_0(w + r * blocks, x, blocks);
}

void GemvQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y) {
  for (size_t r = 0; r < rows; ++r) y[r] = RowQ4_0(w + r * blocks, x, blocks);
}

void GemvI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
               float x_scale, float* y) {
  for (size_t r = 0; r < rows; ++r) y[r] = RowI4G32(w + r * blocks, x, x_scale, blocks);
}

void GemvF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x,
             float* y) {
  for (size_t r = 0; r < rows; ++r) y[r] = RowF16(w + r * ldw, x, cols);
}

void GemmQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
              size_t tokens, float* y, size_t ldy) {
  for (size_t t = 0; t < tokens; ++t) GemvQ8_0(w, rows, blocks, x + t * blocks, y + t * ldy);
}

void GemmQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
              size_t tokens, float* y, size_t ldy) {
  for (size_t t = 0; t < tokens; ++t) GemvQ4_0(w, rows, blocks, x + t * blocks, y + t * ldy);
}

void GemmI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
               const float* x_scales, size_t tokens, float* y, size_t ldy) {
  for (size_t t = 0; t < tokens; ++t) {
    GemvI4G32(w, rows, blocks, x + t * blocks * kBlockSize, x_scales[t], y + t * ldy);
  }
}

void GemmF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x,
             size_t ldx, size_t tokens, float* y, size_t ldy) {
  for (size_t t = 0; t < tokens; ++t) GemvF16(w, ldw, rows, cols, x + t * ldx, y + t * ldy);
}

}  // namespace scalar

namespace {
bool Always() { return true; }
}  // namespace

const QuantKernelTable kScalarQuant = {
    .name = "scalar",
    .supported = Always,
    .quantize_row_q8_0 = QuantizeRowQ8_0,
    .quantize_row_i8 = scalar::QuantizeRowI8,
    .block_sums_q8_0 = scalar::BlockSumsQ8_0,
    .block_sums_q4_0 = scalar::BlockSumsQ4_0,
    .block_sums_i4g32 = scalar::BlockSumsI4G32,
    .block_sums_q4_0x8 = scalar::BlockSumsQ4_0x8,
    .gemv_q8_0 = scalar::GemvQ8_0,
    .gemv_q4_0 = scalar::GemvQ4_0,
    .gemv_i4g32 = scalar::GemvI4G32,
    .gemv_f16 = scalar::GemvF16,
    .gemv_q4_0x8 = scalar::GemvQ4_0x8,
    .gemv_f16x8 = scalar::GemvF16x8,
    .gemm_q8_0 = scalar::GemmQ8_0,
    .gemm_q4_0 = scalar::GemmQ4_0,
    .gemm_i4g32 = scalar::GemmI4G32,
    .gemm_f16 = scalar::GemmF16,
    .gemm_q4_0x8 = scalar::GemmQ4_0x8,
    .gemm_f16x8 = scalar::GemmF16x8,
};

}  // namespace nas::liv::quant
