#include "liv/tools/memory_sampler.h"

#include <fstream>
#include <sstream>
#include <string>

namespace nas::liv {

ProcMemory ReadProcMemory() {
  ProcMemory m;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream in(line);
    std::string key;
    uint64_t kib = 0;
    in >> key >> kib;
    if (key == "VmRSS:") m.vm_rss = kib * 1024;
    if (key == "VmSwap:") m.vm_swap = kib * 1024;
    if (key == "VmHWM:") m.vm_hwm = kib * 1024;
    if (key == "RssAnon:") m.rss_anon = kib * 1024;
    if (key == "RssFile:") m.rss_file = kib * 1024;
  }
  return m;
}

MemorySampler::MemorySampler(std::chrono::milliseconds interval) : interval_(interval) {}

MemorySampler::~MemorySampler() { Stop(); }

void MemorySampler::Sample() {
  const ProcMemory m = ReadProcMemory();
  const uint64_t value = m.vm_rss + m.vm_swap;
  uint64_t seen = max_rss_swap_.load();
  while (value > seen && !max_rss_swap_.compare_exchange_weak(seen, value)) {
  }
  samples_.fetch_add(1);
}

void MemorySampler::Start() {
  if (running_.exchange(true)) return;
  Sample();
  thread_ = std::thread([this] {
    while (running_.load()) {
      Sample();
      std::this_thread::sleep_for(interval_);
    }
  });
}

void MemorySampler::Stop() {
  if (!running_.exchange(false)) return;
  thread_.join();
  Sample();
}

}  // namespace nas::liv
