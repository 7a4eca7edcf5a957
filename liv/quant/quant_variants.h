// Internal to liv/quant (and its tests and benchmarks): the list of compiled quantized
// kernel variants and the scalar reference functions. NAS_LIV_QUANT_VARIANTS(X) expands
// X(name, table) once per variant compiled into this build, scalar first and then in
// order of preference; it is the one place a variant is added, and it drives
// AllQuantVariants(), ActiveQuant(), the parity tests and the benchmarks. The scalar
// functions are exposed so that a SIMD table can reuse them for entries it does not
// vectorise. Everything here is immutable: thread-safe.
//
// The SIMD variants are compiled only where their instruction set can exist:
// NAS_LIV_X86_SIMD (x86-64 builds with NAS_X86_SIMD) brings "avx2" and "avx512vnni",
// NAS_LIV_NEON_DOTPROD (aarch64 builds) brings "neon-dotprod" and "neon-i8mm" (the latter
// with SMMLA for the interleaved Q4_0 prefill) (liv/CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/quant/blocks.h"
#include "liv/quant/quant_kernels.h"

#if defined(NAS_LIV_X86_SIMD)
#define NAS_LIV_QUANT_VARIANTS(X) \
  X(scalar, kScalarQuant)         \
  X(avx2, kAvx2Quant)             \
  X(avx512vnni, kAvx512VnniQuant)
#elif defined(NAS_LIV_NEON_DOTPROD)
#define NAS_LIV_QUANT_VARIANTS(X)      \
  X(scalar, kScalarQuant)              \
  X(neon_dotprod, kNeonDotprodQuant)   \
  X(neon_i8mm, kNeonI8mmQuant)
#else
#define NAS_LIV_QUANT_VARIANTS(X) X(scalar, kScalarQuant)
#endif

namespace nas::liv::quant {

#define NAS_LIV_DECLARE_QUANT_TABLE(name, table) extern const QuantKernelTable table;
NAS_LIV_QUANT_VARIANTS(NAS_LIV_DECLARE_QUANT_TABLE)
#undef NAS_LIV_DECLARE_QUANT_TABLE

// The scalar reference, one function per QuantKernelTable entry (semantics in
// quant_kernels.h; quantize_row_q8_0 is blocks.h's QuantizeRowQ8_0 itself).
namespace scalar {

float QuantizeRowI8(const float* x, int8_t* y, size_t n);

void BlockSumsQ8_0(const BlockQ8_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums);
void BlockSumsQ4_0(const BlockQ4_0* w, const BlockQ8_0* a, size_t blocks, int32_t* sums);
void BlockSumsI4G32(const BlockI4G32* w, const int8_t* a, size_t blocks, int32_t* sums);
void BlockSumsQ4_0x8(const BlockQ4_0x8* w, const BlockQ8_0* a, const int32_t* a_offsets,
                     size_t blocks, int32_t* sums);

void GemvQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y);
void GemvQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x, float* y);
void GemvI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
               float x_scale, float* y);
void GemvF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x,
             float* y);
void GemvQ4_0x8(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                const int32_t* x_offsets, float* y);
void GemvF16x8(const uint16_t* w, size_t groups, size_t cols, const float* x, float* y);

void GemmQ8_0(const BlockQ8_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
              size_t tokens, float* y, size_t ldy);
void GemmQ4_0(const BlockQ4_0* w, size_t rows, size_t blocks, const BlockQ8_0* x,
              size_t tokens, float* y, size_t ldy);
void GemmI4G32(const BlockI4G32* w, size_t rows, size_t blocks, const int8_t* x,
               const float* x_scales, size_t tokens, float* y, size_t ldy);
void GemmF16(const uint16_t* w, size_t ldw, size_t rows, size_t cols, const float* x,
             size_t ldx, size_t tokens, float* y, size_t ldy);
void GemmQ4_0x8(const BlockQ4_0x8* w, size_t groups, size_t blocks, const BlockQ8_0* x,
                const int32_t* x_offsets, size_t tokens, float* y, size_t ldy);
void GemmF16x8(const uint16_t* w, size_t groups, size_t cols, const float* x, size_t ldx,
               size_t tokens, float* y, size_t ldy);

}  // namespace scalar

// CPU feature checks behind the SIMD tables' supported(), in quant_kernels.cc, which is
// compiled without ISA flags: asking an older CPU must not itself execute a new instruction.
#if defined(NAS_LIV_X86_SIMD)
bool CpuHasAvx2FmaF16c();   // AVX2, FMA, F16C (and the OS saving the AVX state)
bool CpuHasAvx512Vnni();    // the above plus AVX-512 F, BW, VL and VNNI
#endif
#if defined(NAS_LIV_NEON_DOTPROD)
bool CpuHasNeonDotprod();   // AT_HWCAP's ASIMDDP (the SDOT/UDOT instructions)
bool CpuHasNeonI8mm();      // the above and AT_HWCAP2's I8MM (SMMLA, ARMv8.6)
#endif

}  // namespace nas::liv::quant
