#include "liv/runtime/weight_matrix.h"

#include <cstring>
#include <vector>

#include "liv/quant/blocks.h"
#include "liv/quant/interleaved.h"

namespace nas::liv {
namespace {

// Row r of an interleaved matrix, block by block (Q4_0) or chunk by chunk (f16).
void DequantizeInterleavedRow(const WeightMatrix& m, uint64_t r, float* out) {
  const uint64_t lane = r % quant::kInterleavedRows;
  if (m.type == WeightType::kF16) {
    const auto* group = static_cast<const uint16_t*>(m.data) + (r - lane) * m.cols;
    for (uint64_t c = 0; c < m.cols / quant::kF16Chunk; ++c) {
      quant::DequantizeRowF16(group + (c * quant::kInterleavedRows + lane) * quant::kF16Chunk,
                              out + c * quant::kF16Chunk, quant::kF16Chunk);
    }
    return;
  }
  const uint64_t blocks = m.cols / quant::kBlockSize;
  const auto* group = static_cast<const quant::BlockQ4_0x8*>(m.data) +
                      r / quant::kInterleavedRows * blocks;
  for (uint64_t b = 0; b < blocks; ++b) {
    quant::BlockQ4_0 block;
    quant::DeinterleaveQ4_0(group + b, 1, lane, &block);
    quant::DequantizeRowQ4_0(&block, out + b * quant::kBlockSize, quant::kBlockSize);
  }
}

}  // namespace

bool InterleavedStorage(WeightType storage, uint64_t rows, uint64_t cols) {
  if (rows % quant::kInterleavedRows != 0) return false;
  return storage == WeightType::kQ4_0 ||
         (storage == WeightType::kF16 && cols % quant::kF16Chunk == 0);
}

void InterleaveRows(WeightType storage, uint64_t cols, const void* rows8, void* out) {
  if (storage == WeightType::kF16) {
    quant::InterleaveF16(static_cast<const uint16_t*>(rows8), cols, static_cast<uint16_t*>(out));
  } else {
    quant::InterleaveQ4_0(static_cast<const quant::BlockQ4_0*>(rows8), cols / quant::kBlockSize,
                          static_cast<quant::BlockQ4_0x8*>(out));
  }
}

uint64_t ActivationScratchBytes(uint64_t tokens, uint64_t cols) {
  const uint64_t blocks = tokens * (cols / quant::kBlockSize);
  const uint64_t q8 = Aligned64(blocks * sizeof(quant::BlockQ8_0)) + blocks * sizeof(int32_t);
  const uint64_t i8 = Aligned64(tokens * cols) + tokens * sizeof(float);
  return q8 > i8 ? q8 : i8;
}

void DequantizeRow(const WeightMatrix& m, uint64_t r, float* out) {
  if (m.interleaved) {
    DequantizeInterleavedRow(m, r, out);
    return;
  }
  const void* row = m.row(r);
  switch (m.type) {
    case WeightType::kF32:
      std::memcpy(out, row, m.cols * sizeof(float));
      return;
    case WeightType::kF16:
      quant::DequantizeRowF16(static_cast<const uint16_t*>(row), out, m.cols);
      return;
    case WeightType::kQ8_0:
      quant::DequantizeRowQ8_0(static_cast<const quant::BlockQ8_0*>(row), out, m.cols);
      return;
    case WeightType::kQ4_0:
      quant::DequantizeRowQ4_0(static_cast<const quant::BlockQ4_0*>(row), out, m.cols);
      return;
    case WeightType::kI4G32:
      quant::DequantizeRowI4G32(static_cast<const quant::BlockI4G32*>(row), out, m.cols);
      return;
  }
}

void StoreRow(WeightType type, const float* x, uint64_t cols, void* out) {
  switch (type) {
    case WeightType::kF32:
      std::memcpy(out, x, cols * sizeof(float));
      return;
    case WeightType::kF16:
      quant::QuantizeRowF16(x, static_cast<uint16_t*>(out), cols);
      return;
    case WeightType::kQ8_0:
      quant::QuantizeRowQ8_0(x, static_cast<quant::BlockQ8_0*>(out), cols);
      return;
    case WeightType::kQ4_0:
      quant::QuantizeRowQ4_0(x, static_cast<quant::BlockQ4_0*>(out), cols);
      return;
    case WeightType::kI4G32:
      quant::QuantizeRowI4G32(x, static_cast<quant::BlockI4G32*>(out), cols);
      return;
  }
}

}  // namespace nas::liv
