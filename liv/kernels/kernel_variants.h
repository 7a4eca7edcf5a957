// Internal to liv/kernels (and its tests and benchmarks): the list of compiled kernel
// variants and the scalar reference functions. NAS_LIV_KERNEL_VARIANTS(X) expands
// X(name, table) once per variant compiled into this build, scalar first; it is the one
// place a new variant is added, and it drives AllVariants(), the parity tests and the
// benchmarks. The scalar functions are exposed so that a SIMD table can reuse the
// reference for entries it does not vectorise. Everything here is immutable: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liv/kernels/kernels.h"

#if defined(NAS_LIV_X86_SIMD)
#define NAS_LIV_KERNEL_VARIANTS(X) \
  X(scalar, kScalarKernels)        \
  X(avx2, kAvx2Kernels)            \
  X(avx512, kAvx512Kernels)
#else
#define NAS_LIV_KERNEL_VARIANTS(X) X(scalar, kScalarKernels)
#endif

namespace nas::liv::kernels {

#define NAS_LIV_DECLARE_KERNEL_TABLE(name, table) extern const KernelTable table;
NAS_LIV_KERNEL_VARIANTS(NAS_LIV_DECLARE_KERNEL_TABLE)
#undef NAS_LIV_DECLARE_KERNEL_TABLE

// The scalar reference, one function per KernelTable entry (semantics in kernels.h).
namespace scalar {

void GemvF32(const float* w, size_t ldw, size_t rows, size_t cols, const float* x, float* y);
float DotF32(const float* a, const float* b, size_t n);
void AxpyF32(float a, const float* x, float* y, size_t n);
float DotF16(const float* a, const uint16_t* b, size_t n);
void AxpyF16(float a, const uint16_t* x, float* y, size_t n);
void RmsNormF32(const float* x, const float* w, size_t n, float eps, float* out);
void SwiGluF32(const float* gate, const float* up, size_t n, float* out);
void GeluF32(const float* x, size_t n, float* out);
void SoftmaxF32(float* x, size_t n);
void RopeF32(float* x, size_t heads, size_t head_dim, const float* cos, const float* sin);
void ShortConvF32(const float* in, size_t ld_in, size_t tokens, const float* taps,
                  size_t kernel_len, float* state, size_t ld_state, size_t channels,
                  float* out, size_t ld_out);
void GlaStepF32(float* state, const float* q, const float* k, const float* v,
                const float* alpha, size_t dk, size_t dv, float* o);
float SumF32(const float* x, size_t n);

}  // namespace scalar

#if defined(NAS_LIV_X86_SIMD)
// CPU feature checks behind the x86 tables' supported(). They live in a file compiled
// without ISA flags, so that asking an old CPU cannot itself execute an AVX instruction.
bool CpuHasAvx2Fma();
bool CpuHasAvx512();
#endif

}  // namespace nas::liv::kernels
