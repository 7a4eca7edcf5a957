// Dispatch of jobs to remote workers — device agents (fleet.h), evaluator services
// (service_evaluator.h) — with the project's rules for them. Workers belong to a group
// (a device class; "" when there is one kind of worker) and take jobs of their group only.
// Every worker gets a thread that takes the next job of its group as soon as it is free,
// so all workers stay busy while work remains. A call that fails at the transport level
// is the worker's failure, not the job's: the job goes back to the front of its group's
// queue for another worker; a worker with `quarantine_after` consecutive failures is
// quarantined (its thread stops) and reported; a job that failed `max_attempts_per_job`
// times fails. What a call answers (a result, or an error the request itself caused) is
// the caller's business: the call says only whether the job is done, the worker failed,
// or the job was abandoned because the caller is stopping. A job may prefer a worker (one
// that may already hold its result): others take it only once that worker failed it, was
// quarantined or is not in the pool. Thread-safe; job ends and events are delivered one
// at a time, on worker threads (or on Run's thread).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace nas::star {

struct PoolWorker {
  std::string group;  // "" when the pool has one kind of worker
  std::string name;   // its address, in events and preferences
};

struct PoolOptions {
  int quarantine_after = 3;      // consecutive worker failures
  int max_attempts_per_job = 4;  // before the job fails
  // For messages: "no agent of class laptop could measure it after 4 attempts: ...",
  // "every evaluator service is quarantined".
  std::string worker_noun = "agent";
  std::string verb = "measure";
};

struct PoolJob {
  uint64_t id = 0;
  std::string group;
  std::string preferred_worker;  // "" = any worker of the group
};

// What one call of a job on a worker came to.
struct CallOutcome {
  enum class Kind {
    kDone,          // the job has its answer (kept by the caller)
    kWorkerFailed,  // transport-level failure: another worker should try
    kAbandoned,     // the caller is stopping: the job ends CANCELLED, nobody to blame
  };
  Kind kind = Kind::kDone;
  std::string error;  // kWorkerFailed: what went wrong, e.g. "UNAVAILABLE: connection refused"

  static CallOutcome Done() { return {}; }
  static CallOutcome WorkerFailed(std::string error) {
    return {Kind::kWorkerFailed, std::move(error)};
  }
  static CallOutcome Abandoned() { return {Kind::kAbandoned, ""}; }
};

struct PoolJobEnd {
  uint64_t id = 0;
  std::string group;
  std::string worker;   // the worker whose call finished it (or that tried last)
  absl::Status status;  // OK: a call finished it; else UNAVAILABLE or CANCELLED, with why
  int attempts = 0;
  // Set when the job failed because its group had no worker left (rather than because it
  // failed on every attempt): nothing is known of the job itself.
  bool no_worker_left = false;
};

enum class WorkerEventKind { kFailure, kQuarantined };

// "failure" or "quarantined", as the store records events.
inline const char* WorkerEventKindName(WorkerEventKind kind) {
  return kind == WorkerEventKind::kQuarantined ? "quarantined" : "failure";
}

struct WorkerEvent {
  WorkerEventKind kind;
  std::string group;
  std::string worker;
  std::string message;
};

struct WorkerState {
  PoolWorker worker;
  int consecutive_failures = 0;
  int failures = 0;
  uint64_t completed = 0;
  bool quarantined = false;
};

class WorkerPool {
 public:
  // Runs job `job` on worker number `worker` (an index into the pool's workers).
  // `attempt` counts from 1.
  using Call = std::function<CallOutcome(size_t worker, const PoolJob& job, int attempt)>;

  WorkerPool(std::vector<PoolWorker> workers, PoolOptions options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs every job and returns when each has ended (on_end once per job). Jobs of a group
  // with no worker left end UNAVAILABLE. Not reentrant. `on_dispatch` is called just
  // before a job is handed to a worker's call.
  void Run(std::vector<PoolJob> jobs, const Call& call,
           const std::function<void(const PoolJobEnd&)>& on_end,
           const std::function<void(const WorkerEvent&)>& on_event = {},
           const std::function<void(const PoolJob&, const std::string& worker)>& on_dispatch =
               {});

  // Stops handing out jobs; jobs not started end CANCELLED. Final: a Run after Stop() (or
  // racing with it) cancels its jobs at once, so a stop is never lost.
  void Stop();

  std::vector<WorkerState> Workers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas::star
