// A fixed pool of threads that run one operation at a time, all together: Run(fn) calls
// fn(i) on threads 0..size()-1 (the caller is thread 0) and returns when every call has
// finished. Decode steps are short (tens of microseconds per op), so workers spin briefly
// before sleeping on a futex (std::atomic::wait) and Run allocates nothing. Run is not
// reentrant and must be called from one thread at a time (a session owns its pool).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"

namespace nas::liv {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void Run(absl::FunctionRef<void(int thread)> fn);

  // The index-th of `count` contiguous slices of [0, n), with slice boundaries on
  // multiples of `grain` (the last slice takes the remainder).
  static std::pair<size_t, size_t> Slice(size_t n, int index, int count, size_t grain = 1);

 private:
  void WorkerLoop(int index);

  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stopping_{false};
  const absl::FunctionRef<void(int)>* task_ = nullptr;
};

// Physical cores of this machine (falls back to the logical CPU count).
int PhysicalCoreCount();

}  // namespace nas::liv
