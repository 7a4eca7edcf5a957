// The x86 quantized kernel tables: "avx2" (AVX2 + FMA + F16C; quant_kernels_avx2.cc) and
// "avx512vnni" (plus AVX-512 F/BW/VL and VNNI; quant_kernels_avx512.cc, which defines
// NAS_LIV_QUANT_X86_VNNI first). Each of those files includes this header once under its
// own ISA flags and builds its table with MakeTable; the kernels are in quant_x86_simd.h
// (activation quantization), quant_x86_int8.h (Q8_0, Q4_0, I4G32), quant_x86_q4_0x8.h
// (interleaved Q4_0) and quant_x86_f16.h,
// all in an unnamed namespace (see quant_x86_simd.h for why).
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"
#include "liv/quant/quant_x86_f16.h"
#include "liv/quant/quant_x86_int8.h"
#include "liv/quant/quant_x86_q4_0x8.h"
#include "liv/quant/quant_x86_simd.h"

namespace nas::liv::quant::x86 {
namespace {

void BlockSumsQ8_0(const BlockQ8_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums) {
  BlockSums<Q8_0Format>(w, a, blocks, sums);
}
void BlockSumsQ4_0(const BlockQ4_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums) {
  BlockSums<Q4_0Format>(w, a, blocks, sums);
}
void BlockSumsI4G32(const BlockI4G32* w, const int8_t* a, size_t blocks, int32_t* sums) {
  BlockSums<I4G32Format>(w, a, blocks, sums);
}

void GemvQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y) {
  Gemv<Q8_0Format>(w, rows, blocks, x, nullptr, y);
}
void GemvQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y) {
  Gemv<Q4_0Format>(w, rows, blocks, x, nullptr, y);
}
void GemvI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x, float x_scale,
               float* y) {
  Gemv<I4G32Format>(w, rows, blocks, x, &x_scale, y);
}

void GemmQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, size_t tokens,
              float* y, size_t ldy) {
  Gemm<Q8_0Format>(w, rows, blocks, x, nullptr, tokens, y, ldy);
}
void GemmQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, size_t tokens,
              float* y, size_t ldy) {
  Gemm<Q4_0Format>(w, rows, blocks, x, nullptr, tokens, y, ldy);
}
void GemmI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
               const float* x_scales, size_t tokens, float* y, size_t ldy) {
  Gemm<I4G32Format>(w, rows, blocks, x, x_scales, tokens, y, ldy);
}

constexpr QuantKernelTable MakeTable(const char* name, bool (*supported)()) {
  return {
      .name = name,
      .supported = supported,
      .quantize_row_q8_0 = QuantizeRowQ8_0,
      .quantize_row_i8 = QuantizeRowI8,
      .block_sums_q8_0 = BlockSumsQ8_0,
      .block_sums_q4_0 = BlockSumsQ4_0,
      .block_sums_i4g32 = BlockSumsI4G32,
      .block_sums_q4_0x8 = BlockSumsQ4_0x8,
      .gemv_q8_0 = GemvQ8_0,
      .gemv_q4_0 = GemvQ4_0,
      .gemv_i4g32 = GemvI4G32,
      .gemv_f16 = GemvF16,
      .gemv_q4_0x8 = x8::Gemv<X8Tile>,
      .gemv_f16x8 = x8::GemvF16x8<F16x8Tile>,
      .gemm_q8_0 = GemmQ8_0,
      .gemm_q4_0 = GemmQ4_0,
      .gemm_i4g32 = GemmI4G32,
      .gemm_f16 = GemmF16,
      .gemm_q4_0x8 = x8::Gemm<X8Tile, kX8TileTokens, kTokenChunk>,
      .gemm_f16x8 = x8::GemmF16x8<F16x8Tile, kF16x8TileTokens, kTokenChunkF16>,
  };
}

}  // namespace
}  // namespace nas::liv::quant::x86
