// The DeviceAgent gRPC service (callback API): Describe, Measure, Health. Every call is
// authenticated first when a token is configured; Measure validates the request
// (INVALID_ARGUMENT naming the field) and enqueues it; the reactor finishes when the
// queue's worker has measured it. Thread-safe.
#pragma once

#include <string>

#include "device-agent/measurement_queue.h"
#include "device-agent/request_validation.h"
#include "proto/device_agent.grpc.pb.h"

namespace nas::agent {

class AgentService final : public DeviceAgent::CallbackService {
 public:
  AgentService(MeasurementQueue& queue, DeviceDescription description, AgentLimits limits,
               std::string token);

  grpc::ServerUnaryReactor* Describe(grpc::CallbackServerContext* context,
                                     const DescribeRequest* request,
                                     DeviceDescription* response) override;
  grpc::ServerUnaryReactor* Measure(grpc::CallbackServerContext* context,
                                    const MeasureRequest* request,
                                    MeasureResult* response) override;
  grpc::ServerUnaryReactor* Health(grpc::CallbackServerContext* context,
                                   const HealthRequest* request,
                                   HealthStatus* response) override;

 private:
  // OK, or UNAUTHENTICATED when a token is configured and the call does not carry it.
  grpc::Status Authenticate(const grpc::CallbackServerContext* context) const;

  MeasurementQueue& queue_;
  const DeviceDescription description_;
  const AgentLimits limits_;
  const std::string token_;
};

}  // namespace nas::agent
