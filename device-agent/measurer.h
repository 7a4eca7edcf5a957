// One measurement: turns a validated MeasureRequest into a liv-measure command line, runs
// it in a child process through the runner (thermal gate first, readings before and
// after, deadline and memory cap enforced), and turns what happened into a MeasureResult
// with an explicit outcome:
//   OK             the child reported; the peak memory is at least the weight bytes
//   OUT_OF_MEMORY  predicted or resident memory over the cap, or an allocation failed
//   TIMEOUT        the deadline passed and the child was killed
//   CRASHED        the child died by a signal or failed without a report
//   INVALID        the binary rejected the request, or its memory figure was implausible
// Not thread-safe: the agent's single worker owns the measurer.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "device-agent/child_process.h"
#include "device-agent/runner.h"
#include "proto/device_agent.pb.h"

namespace nas::agent {

// liv-measure's arguments for a validated request: the spec goes on stdin ("-m -"), a
// gguf model is its file in `models_dir` ("-m DIR/NAME").
std::vector<std::string> LivMeasureArgs(const MeasureRequest& request,
                                        const std::string& models_dir = "");

// The result of a finished child (pure: no I/O), exposed for tests.
MeasureResult ResultFromChild(const MeasureRequest& request, const ChildResult& child);

class Measurer {
 public:
  // `models_dir`: where gguf models are (AgentLimits::models_dir), as the runner sees it.
  explicit Measurer(Runner runner, std::string models_dir = "")
      : runner_(std::move(runner)), models_dir_(std::move(models_dir)) {}

  // `child` lets the caller cancel; `on_start` receives the child's pid.
  MeasureResult Measure(const MeasureRequest& request, double queue_wait_ms, ChildProcess& child,
                        const std::function<void(int pid)>& on_start);

  const Runner& runner() const { return runner_; }

 private:
  Runner runner_;
  std::string models_dir_;
};

}  // namespace nas::agent
