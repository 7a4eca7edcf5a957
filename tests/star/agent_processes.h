// Real device agents as child processes, for coordinator tests that need the whole path
// (gRPC, the agent's queue, a measuring child) without real timings: each is the built
// `device-agent` serving on 127.0.0.1 (ephemeral port) with star-test-measure as its
// measuring binary, so every measurement is deterministic (simulated_measurement.h) and
// can be counted and slowed through NAS_TEST_MEASURE_LOG / NAS_TEST_MEASURE_SLEEP_MS.
// Each agent runs in its own process group and dies with the thread that started it
// (PR_SET_PDEATHSIG); its measuring child dies with it (the agent sets the same).
// Kill(k) is a crash (SIGKILL); the destructor stops the rest (SIGTERM, SIGKILL after a
// grace) and reaps every one. Agents' stderr goes to temporary files (stderr_text, and
// every start error quotes it). Not thread-safe: use from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas::star::testing {

struct AgentProcessOptions {
  // Defaults: the binaries this build made (compile definitions of star_tests).
  std::string agent_binary;    // device-agent
  std::string measure_binary;  // star-test-measure
  // NAS_TEST_MEASURE_LOG and NAS_TEST_MEASURE_SLEEP_MS of the measuring children (empty /
  // 0 = not set). The agents also inherit this process's environment.
  std::string measure_log;
  int measure_sleep_ms = 0;
  std::map<std::string, std::string> env;  // more variables (override inherited ones)
  // Appended to every agent's command line (after --listen, --measure-binary, --name,
  // --shutdown-grace; do not repeat those).
  std::vector<std::string> extra_args;
  double shutdown_grace_seconds = 1;  // the agent's own grace for its measurement on SIGTERM
  std::chrono::milliseconds start_timeout{30000};  // for the "listening ADDR" line
  std::chrono::milliseconds stop_grace{10000};     // SIGTERM -> SIGKILL in Stop / destructor
};

class AgentProcesses {
 public:
  // Starts `count` agents named agent0..agent{count-1} and waits until each listens.
  // On failure (a binary missing, an agent that exits or stays silent) every agent
  // already started is stopped and the error names the agent and what happened.
  static absl::StatusOr<std::unique_ptr<AgentProcesses>> Start(int count,
                                                               AgentProcessOptions options = {});
  ~AgentProcesses();
  AgentProcesses(const AgentProcesses&) = delete;
  AgentProcesses& operator=(const AgentProcesses&) = delete;

  int size() const { return static_cast<int>(agents_.size()); }
  const std::string& address(int k) const { return agents_.at(k).address; }  // 127.0.0.1:PORT
  std::vector<std::string> addresses() const;
  pid_t pid(int k) const { return agents_.at(k).pid; }  // 0 once stopped or killed
  bool running(int k) const { return agents_.at(k).pid > 0; }
  // What agent k wrote on stderr so far (kept in a temporary file, removed at the end).
  std::string stderr_text(int k) const;

  void Kill(int k);  // SIGKILL and reap: a crashed agent
  void Stop(int k);  // SIGTERM, SIGKILL after stop_grace, reap: an orderly shutdown
  void StopAll();    // what the destructor does

 private:
  struct Agent {
    pid_t pid = 0;
    int stdout_fd = -1;
    std::string address;
    std::string stderr_path;
  };
  explicit AgentProcesses(AgentProcessOptions options) : options_(std::move(options)) {}
  absl::Status StartOne(int k);
  void Reap(Agent& agent, bool graceful);

  AgentProcessOptions options_;
  std::vector<Agent> agents_;
};

// What star-test-measure wrote to a NAS_TEST_MEASURE_LOG file: per spec hash
// (SimulatedSpecKey), how many measurements started and finished, and the pids.
struct MeasureLog {
  std::map<std::string, int> started, done;
  std::vector<pid_t> pids;  // of every "start" line, in order
  int total_started() const;
  int total_done() const;
};
MeasureLog ReadMeasureLog(const std::string& path);

// Whether a process exists and is not a zombie (for checks that nothing survived).
bool ProcessAlive(pid_t pid);

}  // namespace nas::star::testing
