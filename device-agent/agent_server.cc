#include "device-agent/agent_server.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "device-agent/agent_service.h"
#include "device-agent/device_info.h"
#include "device-agent/measurement_queue.h"

namespace nas::agent {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* flag) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(flag, ": cannot read \"", path, "\""));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HostOf(const std::string& address) {
  if (!address.empty() && address.front() == '[') return address.substr(1, address.find(']') - 1);
  const size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  const std::string host = HostOf(address);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct AgentServer::Impl {
  std::unique_ptr<Measurer> measurer;
  std::unique_ptr<MeasurementQueue> queue;
  std::unique_ptr<AgentService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::string host;
  bool shut_down = false;
};

AgentServer::AgentServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AgentServer::~AgentServer() { Shutdown(std::chrono::milliseconds(0)); }

absl::StatusOr<std::unique_ptr<AgentServer>> AgentServer::Start(const AgentOptions& options) {
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (!IsLoopbackAddress(options.listen) && options.token.empty() && !tls) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen: ", options.listen,
        " is not a loopback address; set --token (or --tls-cert and --tls-key) to serve beyond "
        "this machine"));
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (tls) {
    auto cert = ReadFile(options.tls_cert_file, "--tls-cert");
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(options.tls_key_file, "--tls-key");
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  }
  auto runner = Runner::Create(options.runner);
  if (!runner.ok()) return runner.status();
  if (auto s = runner->Prepare(); !s.ok()) return s;
  auto description = DescribeDevice(*runner, options.device_name);
  if (!description.ok()) return description.status();

  auto impl = std::make_unique<Impl>();
  impl->measurer =
      std::make_unique<Measurer>(std::move(runner).value(), options.limits.models_dir);
  impl->queue = std::make_unique<MeasurementQueue>(*impl->measurer, options.max_queue);
  impl->service = std::make_unique<AgentService>(*impl->queue, *description, options.limits,
                                                 options.token);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &impl->port);
  builder.RegisterService(impl->service.get());
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return absl::UnavailableError(absl::StrCat("--listen: cannot listen on ", options.listen));
  }
  impl->host = HostOf(options.listen);
  return std::unique_ptr<AgentServer>(new AgentServer(std::move(impl)));
}

int AgentServer::port() const { return impl_->port; }

std::string AgentServer::address() const {
  const bool v6 = impl_->host.find(':') != std::string::npos;
  return v6 ? absl::StrCat("[", impl_->host, "]:", impl_->port)
            : absl::StrCat(impl_->host, ":", impl_->port);
}

void AgentServer::Shutdown(std::chrono::milliseconds grace) {
  if (impl_ == nullptr || impl_->shut_down) return;
  impl_->shut_down = true;
  impl_->queue->Shutdown(grace);  // every pending reactor is finished here
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

void AgentServer::Wait() { impl_->server->Wait(); }

}  // namespace nas::agent
