// Large buffers: small ones stay 64-byte granular (no whole huge page for a small model),
// large ones are 2 MiB aligned and rounded to whole 2 MiB pages, and both are writable.
#include "liv/runtime/large_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace nas::liv {
namespace {

TEST(LargeBufferTest, SmallBuffersRoundToCacheLines) {
  EXPECT_EQ(LargeBufferBytes(0), 64u);
  EXPECT_EQ(LargeBufferBytes(1), 64u);
  EXPECT_EQ(LargeBufferBytes(65), 128u);
  EXPECT_EQ(LargeBufferBytes(kHugePageThreshold - 1), kHugePageThreshold);
}

TEST(LargeBufferTest, LargeBuffersRoundToHugePages) {
  EXPECT_EQ(LargeBufferBytes(kHugePageThreshold), kHugePageThreshold);
  EXPECT_EQ(LargeBufferBytes(kHugePageThreshold + 1), kHugePageThreshold + kLargePage);
}

TEST(LargeBufferTest, AllocationsAreAlignedAndWritable) {
  for (size_t bytes : {size_t{100}, kHugePageThreshold + 12345}) {
    void* p = AllocateLargeBuffer(bytes);
    ASSERT_NE(p, nullptr) << bytes;
    const size_t alignment = bytes < kHugePageThreshold ? 64 : kLargePage;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u) << bytes;
    std::memset(p, 0x5a, LargeBufferBytes(bytes));
    EXPECT_EQ(static_cast<unsigned char*>(p)[LargeBufferBytes(bytes) - 1], 0x5a);
    std::free(p);
  }
}

}  // namespace
}  // namespace nas::liv
