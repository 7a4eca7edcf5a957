// Runs one child process to completion under watch: its standard input is fed from a
// string (as the child reads it; a child that exits without reading it is fine), its
// stdout and stderr are captured, its resident memory (VmRSS + VmSwap of the child, read
// from /proc every poll interval) is checked against a cap, and it is killed (its whole
// process group, SIGKILL) when the deadline passes, the cap is exceeded or Cancel() is
// called. The child dies with its parent (PR_SET_PDEATHSIG), so killing the agent (or the
// coordinator running an external training command) never leaves an orphan behind.
// Run() blocks the calling thread; Cancel() may be called from any thread. Library
// `child_process` (absl only), shared by the device agent and the coordinator.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas::agent {

struct ChildLimits {
  std::chrono::milliseconds deadline{0};  // 0 = none
  uint64_t memory_cap_bytes = 0;          // 0 = none
  std::chrono::milliseconds poll_interval{10};
};

enum class KillReason { kNone, kDeadline, kMemoryCap, kCancelled };

struct ChildResult {
  int exit_code = -1;   // when it exited normally
  int signal = 0;       // when a signal ended it
  KillReason killed_for = KillReason::kNone;
  std::string out, err;
  uint64_t peak_rss_bytes = 0;  // the largest VmRSS + VmSwap the watchdog saw
  std::chrono::system_clock::time_point started, finished;
};

class ChildProcess {
 public:
  // argv[0] is looked up in PATH when it has no '/'. `stdin_text` is written to the
  // child's standard input, which is then closed. `on_start` gets the child's pid.
  absl::StatusOr<ChildResult> Run(const std::vector<std::string>& argv,
                                  const std::string& stdin_text, const ChildLimits& limits,
                                  const std::function<void(int pid)>& on_start = {});

  void Cancel() { cancelled_.store(true); }

 private:
  std::atomic<bool> cancelled_{false};
};

// VmRSS + VmSwap of a process in bytes; 0 if it is gone.
uint64_t ResidentBytesOf(int pid);

}  // namespace nas::agent
