#include "device-agent/agent_service.h"

#include "absl/strings/str_cat.h"
#include "base/grpc_status.h"

namespace nas::agent {

AgentService::AgentService(MeasurementQueue& queue, DeviceDescription description,
                           AgentLimits limits, std::string token)
    : queue_(queue),
      description_(std::move(description)),
      limits_(limits),
      token_(std::move(token)) {}

grpc::Status AgentService::Authenticate(const grpc::CallbackServerContext* context) const {
  if (token_.empty()) return grpc::Status::OK;
  const auto& metadata = context->client_metadata();
  const auto it = metadata.find("authorization");
  const std::string expected = "Bearer " + token_;
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "this agent requires a token: send metadata \"authorization: Bearer TOKEN\"");
  }
  if (std::string(it->second.data(), it->second.size()) != expected) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong token");
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* AgentService::Describe(grpc::CallbackServerContext* context,
                                                 const DescribeRequest*,
                                                 DeviceDescription* response) {
  auto* reactor = context->DefaultReactor();
  grpc::Status status = Authenticate(context);
  if (status.ok()) *response = description_;
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::Health(grpc::CallbackServerContext* context,
                                               const HealthRequest*, HealthStatus* response) {
  auto* reactor = context->DefaultReactor();
  grpc::Status status = Authenticate(context);
  if (status.ok()) *response = queue_.Health();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::Measure(grpc::CallbackServerContext* context,
                                                const MeasureRequest* request,
                                                MeasureResult* response) {
  auto* reactor = context->DefaultReactor();
  if (grpc::Status status = Authenticate(context); !status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  auto validated = ValidateMeasureRequest(*request, limits_);
  if (!validated.ok()) {
    reactor->Finish(ToGrpc(validated.status()));
    return reactor;
  }
  absl::Status queued = queue_.Enqueue(std::move(validated).value(), response,
                                       [reactor](const absl::Status& done) {
                                         reactor->Finish(ToGrpc(done));
                                       });
  if (!queued.ok()) reactor->Finish(ToGrpc(queued));
  return reactor;
}

}  // namespace nas::agent
