// A fixed pool of threads that run one operation at a time, all together: Run(fn) calls
// fn(i) on threads 0..size()-1 (the caller is thread 0) and returns when every call has
// finished. Decode steps are short (tens of microseconds per op), so workers spin briefly
// before sleeping on a futex (std::atomic::wait) and Run allocates nothing. Run is not
// reentrant and must be called from one thread at a time (a session owns its pool).
//
// CPU pinning (optional, Linux and Android): with a non-empty `pin_cpus`, worker i (i >= 1)
// pins itself to pin_cpus[i % pin_cpus.size()] before it takes any work. Thread 0 is the
// caller's own thread, which the pool does not own: a caller that wants it pinned holds a
// ScopedCpuPin on pin_cpus[0] while it uses the pool (liv-measure does, for the whole
// measurement). Check the list with CheckCpusAvailable first: a worker that cannot pin
// (the CPU went away) runs unpinned.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace nas::liv {

class ThreadPool {
 public:
  explicit ThreadPool(int threads, std::vector<int> pin_cpus = {});
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  const std::vector<int>& pin_cpus() const { return pin_cpus_; }

  void Run(absl::FunctionRef<void(int thread)> fn);

  // The index-th of `count` contiguous slices of [0, n), with slice boundaries on
  // multiples of `grain` (the last slice takes the remainder).
  static std::pair<size_t, size_t> Slice(size_t n, int index, int count, size_t grain = 1);

 private:
  void WorkerLoop(int index);

  std::vector<int> pin_cpus_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stopping_{false};
  const absl::FunctionRef<void(int)>* task_ = nullptr;
};

// Runs fn(begin, end) over ranges covering [0, n) exactly once, on every thread of the
// pool: thread i works through its own contiguous slice (ThreadPool::Slice with `grain`)
// front to back, `chunk` elements at a time, then takes chunks from the back of the
// slices others have not finished. Each thread keeps streaming its own memory, and a thread
// that starts late or runs slower (a busy sibling hyperthread, a cold cache) leaves its
// last chunks to the others instead of holding up the operation. Range boundaries are
// multiples of `grain` (or n); chunk must be a multiple of grain. Pools of more than
// kMaxBalancedThreads threads fall back to static slices. Allocates nothing.
inline constexpr int kMaxBalancedThreads = 32;
void RunBalanced(ThreadPool& pool, size_t n, size_t grain, size_t chunk,
                 absl::FunctionRef<void(size_t begin, size_t end)> fn);

// Physical cores of this machine (falls back to the logical CPU count).
int PhysicalCoreCount();

// OK when every CPU of the list is one this process may run on (its affinity mask);
// otherwise InvalidArgument naming the CPU and the available ones ("CPU 999 is not
// available to this process (available: 0-1)"), or Unimplemented where pinning is not
// supported. An empty list is OK.
absl::Status CheckCpusAvailable(const std::vector<int>& cpus);

// The CPUs this process may run on, as a list such as "0-3,6".
std::string AvailableCpusText();

// Pins the calling thread to one CPU for its lifetime and restores the thread's previous
// affinity mask on destruction. status() says whether the pin took effect.
class ScopedCpuPin {
 public:
  explicit ScopedCpuPin(int cpu);
  ~ScopedCpuPin();
  ScopedCpuPin(const ScopedCpuPin&) = delete;
  ScopedCpuPin& operator=(const ScopedCpuPin&) = delete;

  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
  bool restore_ = false;
  std::vector<uint64_t> saved_mask_;  // a cpu_set_t, kept opaque here
};

}  // namespace nas::liv
