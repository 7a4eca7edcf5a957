#include "liv/runtime/weight_matrix.h"

#include <cstring>

#include "liv/quant/blocks.h"

namespace nas::liv {

uint64_t ActivationScratchBytes(uint64_t tokens, uint64_t cols) {
  const uint64_t q8 = tokens * (cols / quant::kBlockSize) * sizeof(quant::BlockQ8_0);
  const uint64_t i8 = (tokens * cols + 63) / 64 * 64 + tokens * sizeof(float);
  return q8 > i8 ? q8 : i8;
}

void DequantizeRow(const WeightMatrix& m, uint64_t r, float* out) {
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
