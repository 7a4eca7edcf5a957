#include "liv/runtime/large_buffer.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace nas::liv {

namespace {

size_t RoundUp(size_t bytes, size_t unit) { return (bytes + unit - 1) / unit * unit; }

}  // namespace

size_t LargeBufferBytes(size_t bytes) {
  if (bytes < kHugePageThreshold) return RoundUp(bytes > 0 ? bytes : 1, 64);
  return RoundUp(bytes, kLargePage);
}

void* AllocateLargeBuffer(size_t bytes) {
  const size_t rounded = LargeBufferBytes(bytes);
  if (bytes < kHugePageThreshold) return std::aligned_alloc(64, rounded);
  void* p = std::aligned_alloc(kLargePage, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where huge pages are off or unavailable the buffer keeps small pages.
  if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

}  // namespace nas::liv
