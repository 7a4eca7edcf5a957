#include "tests/star/agent_processes.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/star/simulated_measurement.h"

extern char** environ;

namespace nas::star::testing {
namespace {

using Clock = std::chrono::steady_clock;

#ifdef NAS_DEVICE_AGENT_BINARY
constexpr char kDefaultAgentBinary[] = NAS_DEVICE_AGENT_BINARY;
#else
constexpr char kDefaultAgentBinary[] = "device-agent";
#endif
#ifdef NAS_STAR_TEST_MEASURE_BINARY
constexpr char kDefaultMeasureBinary[] = NAS_STAR_TEST_MEASURE_BINARY;
#else
constexpr char kDefaultMeasureBinary[] = "star-test-measure";
#endif

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for pid to exit until `deadline`; true when it was reaped.
bool WaitUntil(pid_t pid, Clock::time_point deadline, int* status) {
  while (true) {
    const pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with code ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("was killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)), ")");
  }
  return "ended";
}

}  // namespace

absl::StatusOr<std::unique_ptr<AgentProcesses>> AgentProcesses::Start(int count,
                                                                      AgentProcessOptions options) {
  if (options.agent_binary.empty()) options.agent_binary = kDefaultAgentBinary;
  if (options.measure_binary.empty()) options.measure_binary = kDefaultMeasureBinary;
  for (const std::string* binary : {&options.agent_binary, &options.measure_binary}) {
    if (access(binary->c_str(), X_OK) != 0) {
      return absl::NotFoundError(
          absl::StrCat("agent processes: \"", *binary, "\" is not an executable file (build it)"));
    }
  }
  std::unique_ptr<AgentProcesses> agents(new AgentProcesses(std::move(options)));
  for (int k = 0; k < count; ++k) {
    if (auto s = agents->StartOne(k); !s.ok()) return s;  // the destructor stops the others
  }
  return agents;
}

AgentProcesses::~AgentProcesses() {
  StopAll();
  for (const Agent& a : agents_) {
    std::error_code ec;
    if (!a.stderr_path.empty()) std::filesystem::remove(a.stderr_path, ec);
  }
}

std::vector<std::string> AgentProcesses::addresses() const {
  std::vector<std::string> out;
  for (const Agent& a : agents_) out.push_back(a.address);
  return out;
}

std::string AgentProcesses::stderr_text(int k) const {
  return ReadWholeFile(agents_.at(k).stderr_path);
}

absl::Status AgentProcesses::StartOne(int k) {
  const std::string name = absl::StrCat("agent", k);
  std::vector<std::string> args = {options_.agent_binary,
                                   "--listen", "127.0.0.1:0",
                                   "--measure-binary", options_.measure_binary,
                                   "--name", name,
                                   "--shutdown-grace", absl::StrCat(options_.shutdown_grace_seconds)};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());

  // The environment: ours, with the options' variables on top.
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  if (!options_.measure_log.empty()) env[kMeasureLogEnv] = options_.measure_log;
  if (options_.measure_sleep_ms > 0) {
    env[kMeasureSleepEnv] = std::to_string(options_.measure_sleep_ms);
  }
  for (const auto& [key, value] : options_.env) env[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);

  // Everything exec needs is built before fork: the child may only make async-signal-safe
  // calls (this process has gRPC threads).
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  Agent agent;
  std::string stderr_template =
      (std::filesystem::temp_directory_path() / "star-agent-stderr-XXXXXX").string();
  const int err_fd = mkostemp(stderr_template.data(), O_CLOEXEC);
  if (err_fd < 0) return absl::InternalError(absl::StrCat("mkostemp: ", std::strerror(errno)));
  agent.stderr_path = stderr_template;
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_pipe[2];
  if (null_fd < 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(err_fd);
    if (null_fd >= 0) close(null_fd);
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(err_fd), close(null_fd), close(out_pipe[0]), close(out_pipe[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died before prctl
    dup2(null_fd, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    // The agent blocks SIGTERM itself; make sure nothing inherited masks or ignores it.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGTERM, SIG_DFL);
    execve(argv[0], argv.data(), envp.data());
    const char message[] = "agent processes: cannot execute device-agent\n";
    (void)!write(STDERR_FILENO, message, sizeof message - 1);
    _exit(127);
  }
  setpgid(pid, pid);
  close(err_fd);
  close(null_fd);
  close(out_pipe[1]);
  agent.pid = pid;
  agent.stdout_fd = out_pipe[0];
  agents_.push_back(agent);
  Agent& a = agents_.back();

  // Wait for "listening ADDR".
  const auto deadline = Clock::now() + options_.start_timeout;
  std::string out;
  auto failure = [&](const std::string& what) {
    Reap(a, /*graceful=*/false);
    std::string err = ReadWholeFile(a.stderr_path);
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return absl::UnavailableError(absl::StrCat(
        name, " (", options_.agent_binary, " --measure-binary ", options_.measure_binary, ") ",
        what, err.empty() ? "" : "; its stderr:\n", err));
  };
  while (true) {
    const size_t newline = out.find('\n');
    if (newline != std::string::npos) {
      const std::string line = out.substr(0, newline);
      out.erase(0, newline + 1);
      constexpr char kPrefix[] = "listening ";
      if (line.rfind(kPrefix, 0) == 0) {
        a.address = line.substr(sizeof kPrefix - 1);
        return absl::OkStatus();
      }
      continue;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      return failure(absl::StrCat("did not print \"listening ADDR\" within ",
                                  options_.start_timeout.count(), " ms"));
    }
    pollfd fd = {a.stdout_fd, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(std::min<int64_t>(left, 100)));
    if (ready < 0 && errno != EINTR) return failure(absl::StrCat("poll: ", std::strerror(errno)));
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(a.stdout_fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // EOF: the agent closed its stdout, i.e. exited.
    int status = 0;
    const bool reaped = WaitUntil(a.pid, Clock::now() + std::chrono::seconds(5), &status);
    if (reaped) a.pid = 0;
    return failure(reaped ? DescribeExit(status) + " before listening"
                          : std::string("closed its stdout before listening"));
  }
}

void AgentProcesses::Reap(Agent& agent, bool graceful) {
  if (agent.pid > 0) {
    int status = 0;
    bool reaped = false;
    if (graceful) {
      kill(agent.pid, SIGTERM);
      reaped = WaitUntil(agent.pid, Clock::now() + options_.stop_grace, &status);
    }
    if (!reaped) {
      kill(-agent.pid, SIGKILL);
      kill(agent.pid, SIGKILL);
      while (waitpid(agent.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    agent.pid = 0;
  }
  if (agent.stdout_fd >= 0) {
    close(agent.stdout_fd);
    agent.stdout_fd = -1;
  }
}

void AgentProcesses::Kill(int k) { Reap(agents_.at(k), /*graceful=*/false); }

void AgentProcesses::Stop(int k) { Reap(agents_.at(k), /*graceful=*/true); }

void AgentProcesses::StopAll() {
  // SIGTERM to all first, so their graces run together.
  for (Agent& a : agents_) {
    if (a.pid > 0) kill(a.pid, SIGTERM);
  }
  const auto deadline = Clock::now() + options_.stop_grace;
  for (Agent& a : agents_) {
    int status = 0;
    if (a.pid > 0 && WaitUntil(a.pid, deadline, &status)) a.pid = 0;
    Reap(a, /*graceful=*/false);
  }
}

int MeasureLog::total_started() const {
  int n = 0;
  for (const auto& [key, count] : started) n += count;
  return n;
}

int MeasureLog::total_done() const {
  int n = 0;
  for (const auto& [key, count] : done) n += count;
  return n;
}

MeasureLog ReadMeasureLog(const std::string& path) {
  MeasureLog log;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() != 3) continue;
    if (parts[0] == "start") {
      ++log.started[parts[1]];
      log.pids.push_back(static_cast<pid_t>(std::atol(parts[2].c_str())));
    } else if (parts[0] == "done") {
      ++log.done[parts[1]];
    }
  }
  return log;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie has exited; only its parent has not reaped it yet.
  const std::string stat = ReadWholeFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  const char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace nas::star::testing
