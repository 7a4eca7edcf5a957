// The quantized matrix kernels of the LIV runtime: one QuantKernelTable per instruction-set
// variant (scalar reference always built; AVX2+FMA, AVX-512 with VNNI, ARM64 NEON with
// dot product), listed once in NAS_LIV_QUANT_VARIANTS (quant_variants.h) — the list that
// drives dispatch, parity tests and benchmarks, as for the f32 table (kernels.h).
//
// Weights are rows of blocks (blocks.h): row r of a matrix with `blocks` blocks per row
// starts at w + r * blocks. Activations are quantized on the fly:
//   Q8_0 and Q4_0 weights take Q8_0 activation blocks (ggml's scheme: per block
//   sum_j wq[j] * aq[j] is an exact int32, scaled by d_w * d_a and accumulated in f32);
//   I4G32 weights ("8da4w") take int8 activations with one scale per token
//   (s = max|x| / 127, q = round(x / s)); per group the int32 sum of wq * aq is scaled by
//   d_w[g] and accumulated in f32, times s at the end.
// Q4_0x8 weights (interleaved.h: groups of 8 interleaved rows) take Q8_0 activation blocks
// and their NibbleOffsets (token t's at x_offsets + t * blocks).
// F16 weights (rows of `cols` halves, row stride ldw) take f32 activations.
// Kernels allocate nothing and never see threads: ops split rows over the pool.
// Every variant must match the scalar one exactly in the int32 block sums and within a
// normalised MSE of 1e-7 in the f32 results. Tables are immutable: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "liv/quant/blocks.h"
#include "liv/quant/interleaved.h"

namespace nas::liv::quant {

struct QuantKernelTable {
  const char* name;     // "scalar", "avx2", "avx512vnni", "neon-dotprod", "neon-i8mm": reported
  bool (*supported)();  // whether this CPU can run the variant

  // Activation quantization; n a multiple of kBlockSize. Must equal blocks.h's
  // QuantizeRowQ8_0 byte for byte.
  void (*quantize_row_q8_0)(const float* x, BlockQ8_0* y, size_t n);
  // Per-token int8: returns the scale s; y[i] = round(x[i] / s) (s = 0 and y = 0 when x = 0).
  float (*quantize_row_i8)(const float* x, int8_t* y, size_t n);

  // The int32 block sums (for the exact parity tests): sums[b] = sum_j wq[j] * aq[j] of
  // block b, with Q4_0's and I4G32's q taken as signed values (nibble - 8).
  void (*block_sums_q8_0)(const BlockQ8_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums);
  void (*block_sums_q4_0)(const BlockQ4_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums);
  void (*block_sums_i4g32)(const BlockI4G32* w, const int8_t* a, size_t blocks, int32_t* sums);
  // One group of 8 rows: sums[8 * b + r] = sum_j (nibble - 8) * aq[j] of row r, block b.
  void (*block_sums_q4_0x8)(const BlockQ4_0x8* w, const BlockQ8_0* a, const int32_t* a_offsets,
                            size_t blocks, int32_t* sums);

  // Decode: y[r] = row r . activation, for r < rows.
  void (*gemv_q8_0)(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
                    float* y);
  void (*gemv_q4_0)(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
                    float* y);
  void (*gemv_i4g32)(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
                     float x_scale, float* y);
  void (*gemv_f16)(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x,
                   float* y);
  // Rows 8 * groups.
  void (*gemv_q4_0x8)(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                      const int32_t* x_offsets, float* y);
  // F16x8 weights (interleaved.h), rows 8 * groups, cols a multiple of 8; f32 activations.
  void (*gemv_f16x8)(const uint16_t* w, size_t groups, size_t cols, const float* x, float* y);

  // Prefill: y[t * ldy + r] = row r . activation row t, for r < rows and t < tokens;
  // activation row t is x + t * blocks (Q8_0) or x + t * blocks * kBlockSize (int8, scale
  // x_scales[t]); for F16, x + t * ldx (f32).
  void (*gemm_q8_0)(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
                    size_t tokens, float* y, size_t ldy);
  void (*gemm_q4_0)(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
                    size_t tokens, float* y, size_t ldy);
  void (*gemm_i4g32)(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
                     const float* x_scales, size_t tokens, float* y, size_t ldy);
  void (*gemm_f16)(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x,
                   size_t ldx, size_t tokens, float* y, size_t ldy);
  void (*gemm_q4_0x8)(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                      const int32_t* x_offsets, size_t tokens, float* y, size_t ldy);
  void (*gemm_f16x8)(const uint16_t* w, size_t groups, size_t cols, const float* x, size_t ldx,
                     size_t tokens, float* y, size_t ldy);
};

// Every variant compiled into this build, scalar first, supported by this CPU or not.
std::span<const QuantKernelTable* const> AllQuantVariants();
const QuantKernelTable& ScalarQuant();
// The best variant this CPU supports, chosen once; NAS_LIV_QUANT_KERNELS=<name> forces one.
const QuantKernelTable& ActiveQuant();

}  // namespace nas::liv::quant
