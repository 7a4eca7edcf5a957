// The "avx2" quantized kernels (AVX2 + FMA + F16C): quant_kernels_x86.h compiled with those
// flags, int8 block dot products by vpmaddubsw + vpmaddwd.

#include "liv/quant/quant_kernels_x86.h"
#include "liv/quant/quant_variants.h"

namespace nas::liv::quant {

const QuantKernelTable kAvx2Quant = x86::MakeTable("avx2", CpuHasAvx2FmaF16c);

}  // namespace nas::liv::quant
