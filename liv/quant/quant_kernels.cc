// Dispatch of the quantized kernels: the list of compiled variants and the choice of the
// active one (the last supported variant of NAS_LIV_QUANT_VARIANTS, or the one named by
// NAS_LIV_QUANT_KERNELS), as liv/kernels/kernels.cc does for the f32 table, and the CPU
// feature checks of the SIMD variants (this file is compiled without ISA flags).

#include "liv/quant/quant_kernels.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "liv/quant/quant_variants.h"

#if defined(NAS_LIV_NEON_DOTPROD)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace nas::liv::quant {
namespace {

#define NAS_LIV_QUANT_TABLE_ADDRESS(name, table) &table,
constexpr const QuantKernelTable* kAllQuantVariants[] = {
    NAS_LIV_QUANT_VARIANTS(NAS_LIV_QUANT_TABLE_ADDRESS)};
#undef NAS_LIV_QUANT_TABLE_ADDRESS

const QuantKernelTable& BestSupported() {
  const QuantKernelTable* best = &kScalarQuant;
  for (const QuantKernelTable* table : kAllQuantVariants) {
    if (table->supported()) best = table;
  }
  return *best;
}

const QuantKernelTable& ChooseActive() {
  const QuantKernelTable& best = BestSupported();
  const char* forced = std::getenv("NAS_LIV_QUANT_KERNELS");
  if (forced == nullptr || forced[0] == '\0') return best;
  for (const QuantKernelTable* table : kAllQuantVariants) {
    if (std::strcmp(table->name, forced) != 0) continue;
    if (table->supported()) return *table;
    std::fprintf(stderr,
                 "liv: NAS_LIV_QUANT_KERNELS=%s is not supported by this CPU; using \"%s\"\n",
                 forced, best.name);
    return best;
  }
  std::fprintf(stderr, "liv: NAS_LIV_QUANT_KERNELS=%s names no quantized kernel variant (known:",
               forced);
  for (const QuantKernelTable* table : kAllQuantVariants) std::fprintf(stderr, " %s", table->name);
  std::fprintf(stderr, "); using \"%s\"\n", best.name);
  return best;
}

}  // namespace

#if defined(NAS_LIV_X86_SIMD)
bool CpuHasAvx2FmaF16c() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
}

bool CpuHasAvx512Vnni() {
  __builtin_cpu_init();
  return CpuHasAvx2FmaF16c() && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512vnni");
}
#endif

#if defined(NAS_LIV_NEON_DOTPROD)
bool CpuHasNeonDotprod() { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }
bool CpuHasNeonI8mm() { return CpuHasNeonDotprod() && (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0; }
#endif

std::span<const QuantKernelTable* const> AllQuantVariants() { return kAllQuantVariants; }

const QuantKernelTable& ScalarQuant() { return kScalarQuant; }

const QuantKernelTable& ActiveQuant() {
  static const QuantKernelTable& active = ChooseActive();
  return active;
}

}  // namespace nas::liv::quant
