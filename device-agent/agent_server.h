// The device agent's gRPC server (callback API). Handlers validate and enqueue; the
// measurement queue's single worker runs the measurements. Listens on 127.0.0.1 by
// default; any other address requires a shared token (sent by clients as the metadata
// "authorization: Bearer TOKEN") or TLS. Requests are bounded in size; every rejection is
// a gRPC status with a message naming the field. Start/Shutdown from one thread; the
// server itself is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "device-agent/request_validation.h"
#include "device-agent/runner.h"

namespace nas::agent {

struct AgentOptions {
  std::string listen = "127.0.0.1:50051";  // port 0 = pick a free one (see port())
  std::string token;                       // required for non-loopback addresses (or TLS)
  std::string tls_cert_file, tls_key_file;
  int max_request_bytes = 4 << 20;
  size_t max_queue = 64;
  std::string device_name;
  AgentLimits limits;
  RunnerConfig runner;
};

class AgentServer {
 public:
  static absl::StatusOr<std::unique_ptr<AgentServer>> Start(const AgentOptions& options);
  ~AgentServer();

  int port() const;
  std::string address() const;  // host:port actually bound

  // Stops taking work, lets the measurement in flight finish within `grace` (then kills
  // it), fails the queued ones with UNAVAILABLE and stops the server.
  void Shutdown(std::chrono::milliseconds grace);
  void Wait();

 private:
  struct Impl;
  explicit AgentServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether the host part of host:port is a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackAddress(const std::string& address);

}  // namespace nas::agent
