// The fleet: device agents by address, grouped by device class, and the dispatch of
// measurement jobs to them. Each job is measured by one agent of its class; every agent
// gets a worker thread that takes the next job of its class as soon as it is free (so all
// agents stay busy while work remains; agents measure one job at a time anyway). Every call
// has a deadline. A call that fails at the transport level (agent unreachable, vanished,
// deadline exceeded, refused) is an agent failure: the job goes back to its class's queue
// for another agent, and an agent with `quarantine_after` consecutive failures is
// quarantined (its worker stops) and reported. Measurement outcomes (OUT_OF_MEMORY,
// TIMEOUT, CRASHED, INVALID) are results, not agent failures. The dispatch itself is
// worker_pool.h's; this adds the agents' calls. Thread-safe; results and events are
// delivered on worker threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "proto/device_agent.pb.h"
#include "star/worker_pool.h"

namespace grpc {
class Status;
}

namespace nas::star {

struct AgentAddress {
  std::string device_class;
  std::string address;  // host:port
  std::string token;    // sent as "authorization: Bearer TOKEN" when set
};

struct FleetOptions {
  // Deadline of a call beyond the measurement's own deadline (queueing, transfer).
  std::chrono::seconds call_slack{120};
  int quarantine_after = 3;      // consecutive agent failures
  int max_attempts_per_job = 4;  // before the job fails
};

struct MeasureJob {
  uint64_t id = 0;
  std::string device_class;
  agent::MeasureRequest request;
  // An agent that may already hold this job's result (it was sent the same request id
  // before the coordinator crashed): it gets the job, and other agents take it only once
  // that agent failed it, was quarantined or is not in the fleet. Empty = any agent.
  std::string preferred_agent;
};

struct JobResult {
  uint64_t id = 0;
  std::string device_class;
  std::string agent;           // address of the agent that answered (or tried last)
  absl::Status status;         // not OK when no agent could measure the job
  agent::MeasureResult result; // valid when status is OK
  int attempts = 0;
  double seconds = 0;          // wall time of the successful call
};

using AgentEventKind = WorkerEventKind;

struct AgentEvent {
  AgentEventKind kind;
  std::string device_class;
  std::string agent;
  std::string message;
};

struct AgentState {
  AgentAddress address;
  int consecutive_failures = 0;
  int failures = 0;
  uint64_t completed = 0;
  bool quarantined = false;
};

// A failed call as events and errors show it: "UNAVAILABLE: connection refused".
std::string DescribeCallFailure(const grpc::Status& status);

class Fleet {
 public:
  Fleet(std::vector<AgentAddress> agents, FleetOptions options);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Measures every job and returns when each has a result (delivered to on_result as it
  // arrives). Jobs of a class with no agent left fail with UNAVAILABLE. Not reentrant.
  // `on_dispatch` is called just before a job's request is sent to an agent (so a caller
  // can record where each request went before it can be lost).
  void Run(std::vector<MeasureJob> jobs, const std::function<void(const JobResult&)>& on_result,
           const std::function<void(const AgentEvent&)>& on_event = {},
           const std::function<void(const MeasureJob&, const std::string& agent)>& on_dispatch =
               {});

  // Asks Run to stop handing out jobs; jobs not started are returned as CANCELLED. Final:
  // a Run after Stop() (or racing with it) cancels its jobs at once, so a stop is never lost.
  void Stop();

  std::vector<AgentState> Agents() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas::star
