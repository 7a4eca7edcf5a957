// A simulated device agent for coordinator tests and benchmarks: a real gRPC
// server on 127.0.0.1 (ephemeral port) whose Measure answers at once (or after
// a delay) with the deterministic figures of SimulatedMeasureResult
// (simulated_measurement.h) for the request's spec or preset (or a gguf model's
// spec, read from the header of the file of that name in set_models_dir()),
// echoing its request_id (OUT_OF_MEMORY when the simulated peak exceeds a
// memory cap the request sets), or fails at the transport level on demand.
// Keeps every request it measured (not those it refused). Answers can be held back until
// released (without blocking gRPC's threads), so a test can see which agents are busy at
// once. Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "proto/device_agent.grpc.pb.h"

namespace nas::star::testing {

class FakeAgent {
 public:
  enum class Mode { kOk, kUnavailable, kInvalidArgument };

  explicit FakeAgent(Mode mode = Mode::kOk, std::chrono::milliseconds delay = {});
  ~FakeAgent();

  std::string address() const { return address_; }
  uint64_t calls() const { return calls_.load(); }
  void set_mode(Mode mode) { mode_.store(mode); }
  void set_models_dir(const std::string& dir);
  void HoldCalls();     // answers due from now on are not sent...
  void ReleaseCalls();  // ...until this sends the held answers (Shutdown does too)
  std::vector<agent::MeasureRequest> requests() const;
  void Shutdown();  // the agent vanishes

 private:
  class Service;
  void Answer(grpc::ServerUnaryReactor* reactor, const grpc::Status& status);

  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::atomic<uint64_t> calls_{0};
  std::atomic<Mode> mode_;
  std::chrono::milliseconds delay_;
  mutable std::mutex mutex_;
  bool held_ = false;  // guarded by mutex_
  std::vector<std::pair<grpc::ServerUnaryReactor*, grpc::Status>> held_answers_;  // ditto
  std::string models_dir_;                       // guarded by mutex_
  std::vector<agent::MeasureRequest> requests_;  // guarded by mutex_
};

// Holds the agents' answers, runs `run` on another thread until `ready` holds (polled, at
// most 50 s, or until `run` returns), then releases the answers and waits for `run`. Returns whether `ready` held:
// tests use it to pin down who is busy when, whatever the scheduler does on a loaded machine.
bool HoldAnswersUntil(const std::vector<FakeAgent*>& agents, const std::function<bool()>& ready,
                      const std::function<void()>& run);

}  // namespace nas::star::testing
