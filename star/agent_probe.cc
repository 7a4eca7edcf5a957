#include "star/agent_probe.h"

#include <grpcpp/grpcpp.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "proto/device_agent.grpc.pb.h"

namespace nas::star {

std::vector<AgentHealth> ProbeAgents(const std::vector<AgentAddress>& agents,
                                     std::chrono::milliseconds deadline) {
  std::vector<AgentHealth> out(agents.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < agents.size(); ++i) {
    threads.emplace_back([&, i] {
      AgentHealth& h = out[i];
      h.address = agents[i];
      auto stub = agent::DeviceAgent::NewStub(
          grpc::CreateChannel(agents[i].address, grpc::InsecureChannelCredentials()));
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + deadline);
      if (!agents[i].token.empty()) {
        context.AddMetadata("authorization", "Bearer " + agents[i].token);
      }
      agent::HealthStatus health;
      grpc::Status s = stub->Health(&context, agent::HealthRequest(), &health);
      if (!s.ok()) {
        h.detail = absl::StrCat("unreachable: ", s.error_message());
        return;
      }
      h.reachable = true;
      h.detail = absl::StrCat(health.serving() ? "serving" : "shutting down", ", queue ",
                              health.queue_length(), ", ", health.completed(), " measured");
      if (!health.in_flight_request_id().empty()) {
        absl::StrAppend(&h.detail, absl::StrFormat(", measuring for %.1f s",
                                                   health.in_flight_seconds()));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace nas::star
