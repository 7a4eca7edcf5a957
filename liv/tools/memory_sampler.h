// Peak resident memory of this process, measured the robust way (../shared/REFERENCE.md
// section 5): a background thread samples VmRSS + VmSwap from /proc/self/status every
// interval, and the peak is the larger of that maximum and the kernel's VmHWM, so pages
// that were swapped or compressed are still counted. Start/Stop from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace nas::liv {

struct ProcMemory {
  uint64_t vm_rss = 0;  // bytes
  uint64_t vm_swap = 0;
  uint64_t vm_hwm = 0;
  uint64_t rss_anon = 0;  // the parts of vm_rss: anonymous memory and mapped files
  uint64_t rss_file = 0;
};

// Reads the current figures of this process (zeros where /proc is unavailable).
ProcMemory ReadProcMemory();

class MemorySampler {
 public:
  explicit MemorySampler(std::chrono::milliseconds interval = std::chrono::milliseconds(10));
  ~MemorySampler();

  void Start();
  void Stop();

  uint64_t max_rss_plus_swap() const { return max_rss_swap_.load(); }
  uint64_t samples() const { return samples_.load(); }

 private:
  void Sample();

  std::chrono::milliseconds interval_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> max_rss_swap_{0};
  std::atomic<uint64_t> samples_{0};
  std::thread thread_;
};

}  // namespace nas::liv
