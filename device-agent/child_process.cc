#include "device-agent/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace nas::agent {
namespace {

using Clock = std::chrono::steady_clock;

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Reads what is available on fd into out; returns false at end of file.
bool Drain(int fd, std::string& out) {
  char buffer[65536];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    return errno == EAGAIN || errno == EINTR;
  }
}

// Writes what the pipe takes of text[written..] to the non-blocking fd; returns false when
// the input is done (all written, or the child closed its end). A SIGPIPE the write raises
// is blocked and consumed on this thread, so a child that exits early cannot kill us.
bool WriteSome(int fd, const std::string& text, size_t& written) {
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  bool more = true;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    more = n < 0 && errno == EAGAIN;  // EPIPE: the child closed its input
    break;
  }
  if (written == text.size()) more = false;
  if (!sigismember(&old_mask, SIGPIPE)) {
    const timespec no_wait{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &no_wait) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  }
  return more;
}

}  // namespace

uint64_t ResidentBytesOf(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  uint64_t total = 0;
  while (std::getline(status, line)) {
    std::istringstream in(line);
    std::string key;
    uint64_t kib = 0;
    in >> key >> kib;
    if (key == "VmRSS:" || key == "VmSwap:") total += kib * 1024;
  }
  return total;
}

absl::StatusOr<ChildResult> ChildProcess::Run(const std::vector<std::string>& argv,
                                              const std::string& stdin_text,
                                              const ChildLimits& limits,
                                              const std::function<void(int)>& on_start) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  // Written by the child when exec fails (prepared here: only async-signal-safe calls
  // are allowed between fork and exec).
  const std::string exec_error = absl::StrCat("cannot execute ", argv[0], "\n");
  const pid_t parent = getpid();
  ChildResult result;
  result.started = std::chrono::system_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the agent died before prctl
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    execvp(args[0], args.data());
    (void)!write(STDERR_FILENO, exec_error.data(), exec_error.size());
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so the group exists before any kill
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  int in_fd = in_pipe[1], out_fd = out_pipe[0], err_fd = err_pipe[0];
  if (on_start) on_start(pid);

  // The input is written as the child reads it (it may be larger than the pipe buffer),
  // then closed so the child sees EOF; a child that exits without reading it is fine.
  size_t written = 0;
  if (stdin_text.empty()) CloseFd(in_fd);
  fcntl(in_fd, F_SETFL, O_NONBLOCK);
  fcntl(out_fd, F_SETFL, O_NONBLOCK);
  fcntl(err_fd, F_SETFL, O_NONBLOCK);

  const auto start = Clock::now();
  int status = 0;
  bool exited = false;
  while (!exited) {
    pollfd fds[3];
    nfds_t count = 0;
    for (const auto& [fd, events] : {std::pair{out_fd, POLLIN}, std::pair{err_fd, POLLIN},
                                     std::pair{in_fd, POLLOUT}}) {
      if (fd >= 0) fds[count++] = {fd, static_cast<short>(events), 0};
    }
    if (count > 0) {
      poll(fds, count, static_cast<int>(limits.poll_interval.count()));
    } else {
      usleep(static_cast<useconds_t>(limits.poll_interval.count() * 1000));
    }
    if (in_fd >= 0 && !WriteSome(in_fd, stdin_text, written)) CloseFd(in_fd);
    if (out_fd >= 0 && !Drain(out_fd, result.out)) CloseFd(out_fd);
    if (err_fd >= 0 && !Drain(err_fd, result.err)) CloseFd(err_fd);
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      exited = true;
      break;
    }
    const uint64_t rss = ResidentBytesOf(pid);
    result.peak_rss_bytes = std::max(result.peak_rss_bytes, rss);
    KillReason reason = KillReason::kNone;
    if (cancelled_.load()) reason = KillReason::kCancelled;
    if (limits.deadline.count() > 0 && Clock::now() - start > limits.deadline) {
      reason = KillReason::kDeadline;
    }
    if (limits.memory_cap_bytes > 0 && rss > limits.memory_cap_bytes) {
      reason = KillReason::kMemoryCap;
    }
    if (reason != KillReason::kNone && result.killed_for == KillReason::kNone) {
      result.killed_for = reason;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
  // The child is gone; make sure nothing of its group survives, then take what is left.
  kill(-pid, SIGKILL);
  // Bounded: a stray process still holding the pipes cannot hang the agent.
  for (int i = 0; i < 40 && (out_fd >= 0 || err_fd >= 0); ++i) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    poll(fds, 2, 50);
    if (out_fd >= 0 && !Drain(out_fd, result.out)) CloseFd(out_fd);
    if (err_fd >= 0 && !Drain(err_fd, result.err)) CloseFd(err_fd);
  }
  CloseFd(in_fd);
  CloseFd(out_fd);
  CloseFd(err_fd);
  result.finished = std::chrono::system_clock::now();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace nas::agent
