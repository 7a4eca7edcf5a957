// A weight matrix as the runtime stores it: `rows` rows of `cols` weights, each row
// RowBytes(type, cols) bytes, rows contiguous, in its storage type — f32, f16, or the
// 32-weight blocks of Q8_0, Q4_0 and 8da4w (liv/quant/blocks.h). The storage type is the
// model's weight type, except that a quantized matrix whose rows are not a multiple of 32
// weights is stored in f16 (StorageType, cost_model.h). Plain views: cheap to copy;
// thread-safe to read.
#pragma once

#include <cstdint>

#include "liv/runtime/cost_model.h"

namespace nas::liv {

struct WeightMatrix {
  WeightType type = WeightType::kF32;  // storage type
  const void* data = nullptr;
  uint64_t rows = 0;
  uint64_t cols = 0;
  // Rows in groups of 8 interleaved (Q4_0x8, F16x8): row() does not apply, DequantizeRow does.
  bool interleaved = false;

  uint64_t row_bytes() const { return RowBytes(type, cols); }
  const float* f32() const { return static_cast<const float*>(data); }  // type kF32 only
  const uint8_t* row(uint64_t r) const {
    return static_cast<const uint8_t*>(data) + r * row_bytes();
  }
  explicit operator bool() const { return data != nullptr; }
};

// `bytes` rounded up to a 64-byte cache line.
inline uint64_t Aligned64(uint64_t bytes) { return (bytes + 63) / 64 * 64; }

// Whether a matrix of `rows` x `cols` stored as `storage` is kept interleaved: Q4_0 with
// rows a multiple of 8 (Q4_0x8), f16 with rows and columns multiples of 8 (F16x8).
bool InterleavedStorage(WeightType storage, uint64_t rows, uint64_t cols);

// Eight stored rows of `cols` weights at `rows8` (contiguous) interleaved into `out` (no
// overlap), or in place.
void InterleaveRows(WeightType storage, uint64_t cols, const void* rows8, void* out);

// Bytes of the buffer that holds `tokens` rows of `cols` activations quantized for a
// product with f16 / quantized weights (ops/matmul.h): Q8_0 blocks (rounded up to 64
// bytes) then their int32 NibbleOffsets, or int8 values (rounded up to 64 bytes) then one
// float scale per token — whichever is larger.
uint64_t ActivationScratchBytes(uint64_t tokens, uint64_t cols);

// Row r as f32, whatever the storage type.
void DequantizeRow(const WeightMatrix& m, uint64_t r, float* out);

// `cols` f32 weights converted into one stored row of `type` (a storage type: f32, f16,
// or a quantized type with cols a multiple of 32), RowBytes(type, cols) bytes at `out`.
void StoreRow(WeightType type, const float* x, uint64_t cols, void* out);

}  // namespace nas::liv
