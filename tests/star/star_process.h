// The `star` command line as a child process, for tests that kill the coordinator at
// awkward moments: start it with arguments (output to a file), poll whether it is still
// running, SIGKILL it, or wait for its exit code. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace nas::star::testing {

class StarProcess {
 public:
  // Starts NAS_STAR_BINARY with `args`; stdout and stderr go to `log_path` (appended).
  StarProcess(const std::vector<std::string>& args, const std::string& log_path);
  ~StarProcess();  // SIGKILLs and reaps it if still running
  StarProcess(const StarProcess&) = delete;
  StarProcess& operator=(const StarProcess&) = delete;

  bool started() const { return pid_ > 0; }
  bool Running();                 // false once it exited (the exit code is then kept)
  void Kill();                    // SIGKILL and reap
  void Signal(int signal);        // send a signal (e.g. SIGINT, as Ctrl-C does)
  // The exit code (128 + signal when killed), or -1 if it did not end within `timeout`.
  int Wait(std::chrono::milliseconds timeout);

 private:
  void Reaped(int status);
  pid_t pid_ = 0;
  int exit_code_ = -1;
};

}  // namespace nas::star::testing
