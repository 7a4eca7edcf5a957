// Memory for the runtime's long-lived buffers (the weights, a session's arena). One of
// kHugePageThreshold bytes or more is aligned to 2 MiB, rounded up to whole 2 MiB pages
// (at most 3% more) and offered to the kernel for transparent huge pages (madvise MADV_HUGEPAGE, where Linux allows it: the "madvise" THP
// mode of Debian's kernels), so that streaming hundreds of megabytes per token costs few
// TLB misses, as for the bandwidth probes the decode roofline is measured with. Pages stay
// untouched (not resident) until written. Smaller buffers are 64-byte aligned and rounded
// up to 64 bytes, so small models do not pay for whole huge pages. Thread-safe.
#pragma once

#include <cstddef>

namespace nas::liv {

inline constexpr size_t kLargePage = size_t{2} << 20;
inline constexpr size_t kHugePageThreshold = size_t{64} << 20;

// The bytes AllocateLargeBuffer(bytes) allocates.
size_t LargeBufferBytes(size_t bytes);

// LargeBufferBytes(bytes) bytes, or nullptr when out of memory. Free with std::free.
void* AllocateLargeBuffer(size_t bytes);

}  // namespace nas::liv
