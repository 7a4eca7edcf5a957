// The thread pool: every index runs exactly once per Run on 1..4 threads, slices tile
// [0, n) on their grain, RunBalanced covers [0, n) exactly once on grain boundaries even
// when one thread stalls (the others take its chunks), and pinning puts workers (and, with ScopedCpuPin, the caller) on
// the listed CPUs; unavailable CPUs are rejected with a message naming them.
#include "liv/runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
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
TEST(ThreadPoolTest, RunBalancedCoversTheRangeOnceOnItsGrain) {
  for (int threads = 1; threads <= 4; ++threads) {
    ThreadPool pool(threads);
    for (size_t n : {0, 8, 16, 72, 1000, 1032, 4608}) {
      std::vector<std::atomic<int>> hits(n);
      std::atomic<bool> off_grain{false};
      RunBalanced(pool, n, 8, 64, [&](size_t begin, size_t end) {
        if (begin % 8 != 0 || (end % 8 != 0 && end != n) || begin >= end) off_grain = true;
        for (size_t i = begin; i < end; ++i) hits[i].fetch_add(1);
      });
      EXPECT_FALSE(off_grain) << n << " elements, " << threads << " threads";
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(hits[i].load(), 1) << "element " << i << " of " << n << ", " << threads
                                     << " threads";
      }
    }
  }
}

TEST(ThreadPoolTest, RunBalancedLeavesAStalledThreadsChunksToTheOthers) {
  ThreadPool pool(2);
  const size_t chunk = 64, n = 64 * chunk;  // 32 chunks per thread's slice
  std::vector<std::atomic<size_t>> runner(n / chunk);
  // The thread that takes the first chunk (thread 0, its slice's front) stalls there until
  // 40 other chunks are done: only the other thread, taking chunks from the back of the
  // stalled slice, can get that far.
  std::atomic<int> other_chunks{0};
  RunBalanced(pool, n, 16, chunk, [&](size_t begin, size_t end) {
    ASSERT_EQ(end - begin, chunk);
    runner[begin / chunk] = std::hash<std::thread::id>{}(std::this_thread::get_id());
    if (begin == 0) {
      while (other_chunks.load() < 40) std::this_thread::yield();
    } else {
      other_chunks.fetch_add(1);
    }
  });
  int stolen = 0;
  for (size_t c = 1; c < runner.size() / 2; ++c) stolen += runner[c].load() != runner[0].load();
  EXPECT_GE(stolen, 8) << "chunks of the stalled thread's slice run by the other thread";
}

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
