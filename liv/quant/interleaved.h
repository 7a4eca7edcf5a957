// Q4_0 rows interleaved by eights ("Q4_0x8"): the runtime's in-memory form of a Q4_0 matrix
// whose row count is a multiple of 8 (and, at the end, the same for F16 rows). GGUF's row-major Q4_0 (blocks.h) stays the exchange
// format; InterleaveQ4_0 and DeinterleaveQ4_0 convert between the two losslessly, byte for
// byte, and the matrix keeps its size (18 bytes per 32 weights).
//
// Group g holds rows 8g..8g+7; its block b is one BlockQ4_0x8 at index g * blocks + b:
//   d[r]                 row r's fp16 scale
//   qs[32 k + 4 r + i]   row r's qs byte 4 k + i   (k, i < 4)
// so 32 bytes at qs + 32 k hold bytes 4k..4k+3 of all eight rows, one row per 32-bit lane
// (low nibbles: weights 4k..4k+3; high nibbles: weights 16+4k..16+4k+3). An int8 dot
// product of every lane with the same 4 activations (x86 vpdpbusd against a broadcast,
// NEON's SDOT by lane) leaves the eight rows' partial sums in eight lanes: no horizontal
// reduction, one contiguous stream of weights per group, the eight scales in one load.
//
// Nibbles enter the dot products unsigned (0..15); Q4_0's -8 comes in through the
// activations: sum_j (n_j - 8) a_j = sum_j n_j a_j + o, with o = -8 * sum_j a_j computed
// once per activation block (NibbleOffsets). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"

namespace nas::liv::quant {

inline constexpr size_t kInterleavedRows = 8;

struct BlockQ4_0x8 {
  uint16_t d[kInterleavedRows];                  // fp16 scales, one per row
  uint8_t qs[kInterleavedRows * kBlockSize / 2];  // see above
};
static_assert(sizeof(BlockQ4_0x8) == kInterleavedRows * sizeof(BlockQ4_0));

// Eight rows of `blocks` Q4_0 blocks each, rows contiguous, into `blocks` interleaved blocks.
// in and out must not overlap.
void InterleaveQ4_0(const BlockQ4_0* rows, size_t blocks, BlockQ4_0x8* out);

// Row `row` (< 8) of a group of `blocks` interleaved blocks, as `blocks` Q4_0 blocks.
void DeinterleaveQ4_0(const BlockQ4_0x8* group, size_t blocks, size_t row, BlockQ4_0* out);

// o[b] = -8 * sum_j x[b].qs[j] for `blocks` activation blocks: the share of Q4_0's offset.
void NibbleOffsets(const BlockQ8_0* x, size_t blocks, int32_t* offsets);

// F16 rows interleaved by eights ("F16x8"), for matrices whose rows and columns are
// multiples of 8: columns 8c..8c+7 of rows 8g..8g+7 are 64 consecutive halves at
// (g * cols / 8 + c) * 64, row r's eight at + 8 r. A group is again one contiguous
// stream (eight separate row streams defeat the hardware prefetchers).
inline constexpr size_t kF16Chunk = 8;

// Eight rows of `cols` halves (rows contiguous) into one interleaved group; no overlap.
void InterleaveF16(const uint16_t* rows, size_t cols, uint16_t* out);

// Row `row` (< 8) of an interleaved group of `cols` columns, as `cols` halves.
void DeinterleaveF16(const uint16_t* group, size_t cols, size_t row, uint16_t* out);

}  // namespace nas::liv::quant
