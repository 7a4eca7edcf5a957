#include "liv/runtime/thread_pool.h"

#include <tuple>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"

#if defined(__linux__)
#include <sched.h>
#define NAS_LIV_HAVE_AFFINITY 1
#endif

namespace nas::liv {
namespace {

// Iterations a worker polls for new work before sleeping (~50-100 us).
constexpr int kSpinIterations = 20000;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

#if NAS_LIV_HAVE_AFFINITY
// Pins the calling thread (pid 0 means the calling thread for sched_setaffinity).
bool PinCallingThread(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}
#endif

}  // namespace

ThreadPool::ThreadPool(int threads, std::vector<int> pin_cpus) : pin_cpus_(std::move(pin_cpus)) {
  const int workers = threads > 1 ? threads - 1 : 0;
  workers_.reserve(workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this, i] { WorkerLoop(i + 1); });
}

ThreadPool::~ThreadPool() {
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::Run(absl::FunctionRef<void(int)> fn) {
  if (workers_.empty()) {
    fn(0);
    return;
  }
  task_ = &fn;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  fn(0);
  while (pending_.load(std::memory_order_acquire) != 0) CpuRelax();
  task_ = nullptr;
}

void ThreadPool::WorkerLoop(int index) {
#if NAS_LIV_HAVE_AFFINITY
  if (!pin_cpus_.empty()) PinCallingThread(pin_cpus_[index % pin_cpus_.size()]);
#endif
  uint64_t seen = 0;
  while (true) {
    uint64_t now = generation_.load(std::memory_order_acquire);
    for (int spin = 0; now == seen && spin < kSpinIterations; ++spin) {
      CpuRelax();
      now = generation_.load(std::memory_order_acquire);
    }
    if (now == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      continue;
    }
    seen = now;
    if (stopping_.load(std::memory_order_acquire)) return;
    (*task_)(index);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

namespace {

// One slice's unclaimed range [front, back), packed as back << 32 | front so that the
// owner (taking from the front) and thieves (from the back) claim chunks by compare and
// swap without ever overlapping.
struct alignas(64) ClaimableRange {
  std::atomic<uint64_t> packed{0};

  void Reset(size_t front, size_t back) {
    packed.store(static_cast<uint64_t>(back) << 32 | front, std::memory_order_relaxed);
  }
  // [begin, end) taken from the front (owner) or the back (thief); begin == end when empty.
  std::pair<size_t, size_t> Take(size_t chunk, bool from_front) {
    uint64_t seen = packed.load(std::memory_order_relaxed);
    while (true) {
      const size_t front = seen & 0xffffffffu, back = seen >> 32;
      if (front >= back) return {front, front};
      size_t begin = front, end = back;
      if (from_front) {
        end = back - front > chunk ? front + chunk : back;
      } else {
        begin = back - front > chunk ? back - chunk : front;
      }
      const uint64_t rest = from_front ? static_cast<uint64_t>(back) << 32 | end
                                       : static_cast<uint64_t>(begin) << 32 | front;
      if (packed.compare_exchange_weak(seen, rest, std::memory_order_relaxed)) {
        return {begin, end};
      }
    }
  }
};

}  // namespace

void RunBalanced(ThreadPool& pool, size_t n, size_t grain, size_t chunk,
                 absl::FunctionRef<void(size_t begin, size_t end)> fn) {
  const int threads = pool.size();
  if (threads == 1 || threads > kMaxBalancedThreads || n > 0xffffffffu) {
    pool.Run([&](int thread) {
      auto [begin, end] = ThreadPool::Slice(n, thread, threads, grain);
      if (begin < end) fn(begin, end);
    });
    return;
  }
  ClaimableRange ranges[kMaxBalancedThreads];
  for (int i = 0; i < threads; ++i) {
    auto [begin, end] = ThreadPool::Slice(n, i, threads, grain);
    ranges[i].Reset(begin, end);
  }
  pool.Run([&](int thread) {
    for (auto [b, e] = ranges[thread].Take(chunk, true); b < e;
         std::tie(b, e) = ranges[thread].Take(chunk, true)) {
      fn(b, e);
    }
    for (int k = 1; k < threads; ++k) {
      ClaimableRange& victim = ranges[(thread + k) % threads];
      for (auto [b, e] = victim.Take(chunk, false); b < e; std::tie(b, e) = victim.Take(chunk, false)) {
        fn(b, e);
      }
    }
  });
}

std::pair<size_t, size_t> ThreadPool::Slice(size_t n, int index, int count, size_t grain) {
  if (grain == 0) grain = 1;
  const size_t units = (n + grain - 1) / grain;
  const size_t begin_unit = units * index / count;
  const size_t end_unit = units * (index + 1) / count;
  const size_t begin = std::min(n, begin_unit * grain);
  const size_t end = index + 1 == count ? n : std::min(n, end_unit * grain);
  return {begin, end};
}

int PhysicalCoreCount() {
  // Count distinct (physical id, core id) pairs in /proc/cpuinfo.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical = "0";
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "physical id") physical = value;
    if (key == "core id") cores.insert({physical, value});
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  const unsigned logical = std::thread::hardware_concurrency();
  return logical > 0 ? static_cast<int>(logical) : 1;
}

std::string AvailableCpusText() {
#if NAS_LIV_HAVE_AFFINITY
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return "unknown";
  std::string text;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    absl::StrAppend(&text, text.empty() ? "" : ",", cpu);
    if (last > cpu) absl::StrAppend(&text, "-", last);
    cpu = last;
  }
  return text.empty() ? "none" : text;
#else
  return "unknown";
#endif
}

absl::Status CheckCpusAvailable(const std::vector<int>& cpus) {
  if (cpus.empty()) return absl::OkStatus();
#if NAS_LIV_HAVE_AFFINITY
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot read this process's CPU affinity: ", std::strerror(errno)));
  }
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set)) {
      return absl::InvalidArgumentError(absl::StrCat("CPU ", cpu,
                                                     " is not available to this process (available: ",
                                                     AvailableCpusText(), ")"));
    }
  }
  return absl::OkStatus();
#else
  return absl::UnimplementedError("CPU pinning is not supported on this platform");
#endif
}

ScopedCpuPin::ScopedCpuPin(int cpu) {
#if NAS_LIV_HAVE_AFFINITY
  saved_mask_.resize((sizeof(cpu_set_t) + 7) / 8);
  auto* saved = reinterpret_cast<cpu_set_t*>(saved_mask_.data());
  if (sched_getaffinity(0, sizeof(cpu_set_t), saved) != 0) {
    status_ = absl::InternalError(
        absl::StrCat("cannot read the thread's CPU affinity: ", std::strerror(errno)));
    return;
  }
  if (!PinCallingThread(cpu)) {
    status_ = absl::InvalidArgumentError(absl::StrCat(
        "cannot pin to CPU ", cpu, " (available: ", AvailableCpusText(), ")"));
    return;
  }
  restore_ = true;
#else
  status_ = absl::UnimplementedError("CPU pinning is not supported on this platform");
  (void)cpu;
#endif
}

ScopedCpuPin::~ScopedCpuPin() {
#if NAS_LIV_HAVE_AFFINITY
  if (restore_) {
    sched_setaffinity(0, sizeof(cpu_set_t), reinterpret_cast<cpu_set_t*>(saved_mask_.data()));
  }
#endif
}

}  // namespace nas::liv
