// The agent's queue: RPC handlers only enqueue; one worker thread runs one measurement at
// a time, in arrival order, so two measurements never overlap on the device. Each job's
// `done` is called exactly once: by the worker with the result, or with UNAVAILABLE when
// the agent shuts down before running it. Health() shows the queue and the job in flight.
// A request id is an idempotency key: a request whose id is queued or in flight joins that
// job, and one whose id was measured recently gets the stored result, so a coordinator
// that restarts and asks again never has the device measure the same thing twice (the id
// must then name the same request, or the call is rejected). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "device-agent/child_process.h"
#include "device-agent/measurer.h"
#include "proto/device_agent.pb.h"

namespace nas::agent {

class MeasurementQueue {
 public:
  using Done = std::function<void(const absl::Status&)>;

  MeasurementQueue(Measurer& measurer, size_t max_queue);
  ~MeasurementQueue();

  // Takes a validated request. ResourceExhausted when the queue is full, Unavailable when
  // shutting down (then `done` is not called).
  absl::Status Enqueue(MeasureRequest request, MeasureResult* response, Done done);

  HealthStatus Health() const;

  // Stops taking work, fails queued jobs with UNAVAILABLE, lets the job in flight finish
  // for at most `grace` and then kills it; returns when the worker has stopped.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  struct Waiter {
    MeasureResult* response;
    Done done;
  };
  struct Job {
    MeasureRequest request;
    std::vector<Waiter> waiters;  // the first caller, then callers with the same id
    std::chrono::steady_clock::time_point arrived;
  };
  struct Remembered {
    MeasureRequest request;
    MeasureResult result;
  };
  // Results kept for repeated request ids.
  static constexpr size_t kRememberedResults = 256;

  void WorkerLoop();
  void Remember(const Job& job, const MeasureResult& result);

  Measurer& measurer_;
  const size_t max_queue_;
  const std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::unordered_map<std::string, Job*> active_by_id_;  // queued or in flight
  std::unordered_map<std::string, Remembered> remembered_;
  std::deque<std::string> remembered_order_;
  bool accepting_ = true;
  bool stopping_ = false;  // tells the worker to exit
  uint64_t completed_ = 0;
  // The job in flight.
  std::string in_flight_id_;
  bool in_flight_ = false;
  int in_flight_pid_ = 0;
  std::chrono::steady_clock::time_point in_flight_since_;
  ChildProcess* in_flight_child_ = nullptr;
  std::thread worker_;
};

}  // namespace nas::agent
