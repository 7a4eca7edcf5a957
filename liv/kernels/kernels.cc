// Dispatch: the list of compiled variants and the choice of the active one.

#include "liv/kernels/kernels.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "liv/kernels/kernel_variants.h"

namespace nas::liv::kernels {

namespace {

#define NAS_LIV_KERNEL_TABLE_ADDRESS(name, table) &table,
constexpr const KernelTable* kAllVariants[] = {
    NAS_LIV_KERNEL_VARIANTS(NAS_LIV_KERNEL_TABLE_ADDRESS)};
#undef NAS_LIV_KERNEL_TABLE_ADDRESS

// The last supported variant in the list is the best one (the list is ordered by preference).
const KernelTable& BestSupported() {
  const KernelTable* best = &kScalarKernels;
  for (const KernelTable* table : kAllVariants) {
    if (table->supported()) best = table;
  }
  return *best;
}

const KernelTable& ChooseActive() {
  const KernelTable& best = BestSupported();
  const char* forced = std::getenv("NAS_LIV_KERNELS");
  if (forced == nullptr || forced[0] == '\0') return best;
  for (const KernelTable* table : kAllVariants) {
    if (std::strcmp(table->name, forced) != 0) continue;
    if (table->supported()) return *table;
    std::fprintf(stderr,
                 "liv: NAS_LIV_KERNELS=%s is not supported by this CPU; using \"%s\"\n",
                 forced, best.name);
    return best;
  }
  std::fprintf(stderr, "liv: NAS_LIV_KERNELS=%s names no kernel variant (known:", forced);
  for (const KernelTable* table : kAllVariants) std::fprintf(stderr, " %s", table->name);
  std::fprintf(stderr, "); using \"%s\"\n", best.name);
  return best;
}

}  // namespace

#if defined(NAS_LIV_X86_SIMD)
bool CpuHasAvx2Fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}
#endif

std::span<const KernelTable* const> AllVariants() { return kAllVariants; }

const KernelTable& Scalar() { return kScalarKernels; }

const KernelTable& Active() {
  static const KernelTable& active = ChooseActive();
  return active;
}

}  // namespace nas::liv::kernels
