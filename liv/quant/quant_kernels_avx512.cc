// The "avx512vnni" quantized kernels (AVX-512 F/BW/VL + VNNI, with AVX2, FMA and F16C):
// quant_kernels_x86.h compiled with those flags, int8 block dot products by vpdpbusd on
// 256-bit vectors (512-bit ones measured slower on Zen 4: the kernels are bound by
// instruction throughput there) and wider gemm tiles for the 32 vector registers.

#define NAS_LIV_QUANT_X86_VNNI 1
#include "liv/quant/quant_kernels_x86.h"
#include "liv/quant/quant_variants.h"

namespace nas::liv::quant {

const QuantKernelTable kAvx512VnniQuant = x86::MakeTable("avx512vnni", CpuHasAvx512Vnni);

}  // namespace nas::liv::quant
