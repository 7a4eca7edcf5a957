// The Evaluator gRPC service (proto/evaluator.proto, callback API) around an injected
// trainer (an EvaluateFn: nas::eval::Evaluate in `evaluator serve`, a fake in tests), and
// EvaluatorServer, which serves it on an address.
//
// Evaluate validates the request first — the ArchSpec (liv::ValidateArchSpec, errors
// prefixed "spec.") and the settings (ValidateSettings under "settings") — and answers
// INVALID_ARGUMENT naming the field. Valid requests wait in a bounded queue
// (RESOURCE_EXHAUSTED beyond `max_queue` waiting) for one of `slots` evaluation threads.
// An evaluation is cancelled (EvaluateOptions::cancel) when the client cancels the call or
// its deadline passes; a queued one is dropped. The trainer's answer goes back as it is:
// a result (a DIVERGED or FAILED outcome is an OK call: the caller decides), or its
// status with its code and message; an exception becomes INTERNAL. The service never
// crashes on a request and keeps serving after each. Health counts the evaluations
// running, queued and completed. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "evaluator/evaluate.h"
#include "proto/evaluator.grpc.pb.h"

namespace nas::eval {

inline constexpr char kEvaluatorServiceVersion[] = "nas-evaluator-service/1";

// One finished call, for logs.
struct EvaluationLogEntry {
  std::string request_id;
  std::string spec_name;
  double seconds = 0;            // in an evaluation slot (0 when it never got one)
  absl::Status status;           // the call's status
  EvaluationResult::Outcome outcome = EvaluationResult::OUTCOME_UNSPECIFIED;  // when OK
  double quality = 0;                                                         // when OK
};

struct EvaluatorServiceOptions {
  int slots = 1;         // evaluations at a time
  size_t max_queue = 16; // requests waiting for a slot, beyond which RESOURCE_EXHAUSTED
  // Reported by Health, e.g. EvaluatorDescription(threads).
  std::string version = kEvaluatorServiceVersion;
  // Called after every Evaluate call that reached a slot or the queue (on a slot thread
  // or a gRPC thread; one at a time).
  std::function<void(const EvaluationLogEntry&)> on_finished;
};

class EvaluatorService final : public Evaluator::CallbackService {
 public:
  EvaluatorService(EvaluateFn evaluate, EvaluatorServiceOptions options);
  // Shutdown(0) if not done.
  ~EvaluatorService() override;

  grpc::ServerUnaryReactor* Evaluate(grpc::CallbackServerContext* context,
                                     const EvaluateRequest* request,
                                     EvaluationResult* response) override;
  grpc::ServerUnaryReactor* Health(grpc::CallbackServerContext* context,
                                   const EvaluatorHealthRequest* request,
                                   EvaluatorHealth* response) override;

  EvaluatorHealth CurrentHealth() const;

  // Stops taking work (UNAVAILABLE), fails the queued requests with UNAVAILABLE, lets the
  // evaluations in flight finish within `grace`, then cancels them (their callers get
  // UNAVAILABLE) and returns when every slot thread has stopped.
  void Shutdown(std::chrono::milliseconds grace);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The request's problems, as Evaluate reports them: InvalidArgument naming the field
// ("spec.layers[2].attention.num_kv_heads: ...", "settings.budget.steps: ..."), else OK.
absl::Status ValidateEvaluateRequest(const EvaluateRequest& request);

struct EvaluatorServerOptions {
  std::string listen = "127.0.0.1:0";  // port 0 = pick a free one (see port())
  int max_request_bytes = 16 << 20;
  EvaluatorServiceOptions service;
};

class EvaluatorServer {
 public:
  static absl::StatusOr<std::unique_ptr<EvaluatorServer>> Start(
      EvaluateFn evaluate, const EvaluatorServerOptions& options);
  ~EvaluatorServer();  // Shutdown(0) if not done

  int port() const;
  std::string address() const;  // host:port actually bound
  EvaluatorHealth Health() const;

  // The service's Shutdown(grace), then the server's; idempotent.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  EvaluatorServer() = default;
  std::unique_ptr<EvaluatorService> service_;  // outlives the server
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string host_;
  bool shut_down_ = false;
};

}  // namespace nas::eval
