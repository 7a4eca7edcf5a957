// The Q4_0x8 and F16x8 layout conversions and activation offsets (interleaved.h), the reference the
// kernels and the weight loader rely on.

#include "liv/quant/interleaved.h"

namespace nas::liv::quant {
namespace {

constexpr size_t kLaneBytes = 4;                         // bytes of one row per 32-bit lane
constexpr size_t kLanes = kBlockSize / 2 / kLaneBytes;  // 32-byte vectors per block

size_t InterleavedIndex(size_t row, size_t byte) {
  return (byte / kLaneBytes) * kInterleavedRows * kLaneBytes + row * kLaneBytes +
         byte % kLaneBytes;
}

}  // namespace

void InterleaveQ4_0(const BlockQ4_0* rows, size_t blocks, BlockQ4_0x8* out) {
  static_assert(kLanes * kLaneBytes == sizeof(BlockQ4_0::qs));
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t r = 0; r < kInterleavedRows; ++r) {
      const BlockQ4_0& in = rows[r * blocks + b];
      out[b].d[r] = in.d;
      for (size_t j = 0; j < sizeof(in.qs); ++j) out[b].qs[InterleavedIndex(r, j)] = in.qs[j];
    }
  }
}

void DeinterleaveQ4_0(const BlockQ4_0x8* group, size_t blocks, size_t row, BlockQ4_0* out) {
  for (size_t b = 0; b < blocks; ++b) {
    out[b].d = group[b].d[row];
    for (size_t j = 0; j < sizeof(out[b].qs); ++j) {
      out[b].qs[j] = group[b].qs[InterleavedIndex(row, j)];
    }
  }
}

void InterleaveF16(const uint16_t* rows, size_t cols, uint16_t* out) {
  for (size_t c = 0; c < cols / kF16Chunk; ++c) {
    for (size_t r = 0; r < kInterleavedRows; ++r) {
      for (size_t i = 0; i < kF16Chunk; ++i) {
        out[(c * kInterleavedRows + r) * kF16Chunk + i] = rows[r * cols + c * kF16Chunk + i];
      }
    }
  }
}

void DeinterleaveF16(const uint16_t* group, size_t cols, size_t row, uint16_t* out) {
  for (size_t c = 0; c < cols / kF16Chunk; ++c) {
    for (size_t i = 0; i < kF16Chunk; ++i) {
      out[c * kF16Chunk + i] = group[(c * kInterleavedRows + row) * kF16Chunk + i];
    }
  }
}

void NibbleOffsets(const BlockQ8_0* x, size_t blocks, int32_t* offsets) {
  for (size_t b = 0; b < blocks; ++b) {
    int32_t sum = 0;
    for (size_t j = 0; j < kBlockSize; ++j) sum += x[b].qs[j];
    offsets[b] = -8 * sum;
  }
}

}  // namespace nas::liv::quant
