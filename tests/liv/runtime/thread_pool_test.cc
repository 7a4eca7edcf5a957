// The thread pool: every index runs exactly once per Run on 1..4 threads, slices tile
// [0, n) on their grain, and pinning puts workers (and, with ScopedCpuPin, the caller) on
// the listed CPUs; unavailable CPUs are rejected with a message naming them.
#include "liv/runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace nas::liv {
namespace {

TEST(ThreadPoolTest, RunReachesEveryIndexOnce) {
  for (int threads = 1; threads <= 4; ++threads) {
    ThreadPool pool(threads);
    ASSERT_EQ(pool.size(), threads);
    std::vector<std::atomic<int>> calls(threads);
    for (int round = 0; round < 100; ++round) {
      pool.Run([&](int i) {
        ASSERT_GE(i, 0);
        ASSERT_LT(i, threads);
        calls[i].fetch_add(1);
      });
    }
    for (int i = 0; i < threads; ++i) EXPECT_EQ(calls[i].load(), 100) << threads << " threads";
  }
}

TEST(ThreadPoolTest, SlicesTileTheRangeOnTheirGrain) {
  EXPECT_EQ(ThreadPool::Slice(10, 0, 3), (std::pair<size_t, size_t>{0, 3}));
  EXPECT_EQ(ThreadPool::Slice(10, 1, 3), (std::pair<size_t, size_t>{3, 6}));
  EXPECT_EQ(ThreadPool::Slice(10, 2, 3), (std::pair<size_t, size_t>{6, 10}));
  for (size_t n : {0, 1, 7, 64, 1000, 1023}) {
    for (int count = 1; count <= 5; ++count) {
      for (size_t grain : {1, 16, 64}) {
        size_t next = 0;
        for (int i = 0; i < count; ++i) {
          auto [begin, end] = ThreadPool::Slice(n, i, count, grain);
          EXPECT_EQ(begin, next) << n << " " << count << " " << grain;
          EXPECT_LE(begin, end);
          if (end != n) {
            EXPECT_EQ(end % grain, 0u);
          }
          next = end;
        }
        EXPECT_EQ(next, n);
      }
    }
  }
}

#if defined(__linux__)
TEST(ThreadPoolTest, PinsEveryThreadToTheListedCpu) {
  ASSERT_TRUE(CheckCpusAvailable({0}).ok()) << "CPU 0 is not available to this test";
  ScopedCpuPin caller(0);
  ASSERT_TRUE(caller.status().ok()) << caller.status();
  ThreadPool pool(3, {0});
  EXPECT_EQ(pool.pin_cpus(), std::vector<int>{0});
  std::vector<int> cpu(3, -1);
  pool.Run([&](int i) { cpu[i] = sched_getcpu(); });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cpu[i], 0) << "thread " << i;
}

TEST(ThreadPoolTest, ScopedCpuPinRestoresTheMask) {
  cpu_set_t before, after;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  {
    ScopedCpuPin pin(0);
    ASSERT_TRUE(pin.status().ok());
    cpu_set_t pinned;
    ASSERT_EQ(sched_getaffinity(0, sizeof pinned, &pinned), 0);
    EXPECT_EQ(CPU_COUNT(&pinned), 1);
    EXPECT_TRUE(CPU_ISSET(0, &pinned));
    EXPECT_EQ(sched_getcpu(), 0);
  }
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(ThreadPoolTest, UnavailableCpusAreRejectedByName) {
  EXPECT_TRUE(CheckCpusAvailable({}).ok());
  const absl::Status status = CheckCpusAvailable({0, 999});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("CPU 999 is not available to this process"),
            std::string::npos)
      << status;
  EXPECT_NE(status.message().find(AvailableCpusText()), std::string::npos);
  EXPECT_FALSE(CheckCpusAvailable({-1}).ok());
  ScopedCpuPin bad(999);
  EXPECT_FALSE(bad.status().ok());
}
#endif

}  // namespace
}  // namespace nas::liv
