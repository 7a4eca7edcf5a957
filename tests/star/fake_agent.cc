#include "tests/star/fake_agent.h"

#include <thread>

namespace nas::star::testing {

class FakeAgent::Service final : public agent::DeviceAgent::CallbackService {
 public:
  explicit Service(FakeAgent* owner) : owner_(owner) {}

  grpc::ServerUnaryReactor* Measure(grpc::CallbackServerContext* context,
                                    const agent::MeasureRequest* request,
                                    agent::MeasureResult* response) override {
    auto* reactor = context->DefaultReactor();
    owner_->calls_.fetch_add(1);
    if (owner_->delay_.count() > 0) std::this_thread::sleep_for(owner_->delay_);
    switch (owner_->mode_.load()) {
      case Mode::kUnavailable:
        reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "fake agent is down"));
        return reactor;
      case Mode::kInvalidArgument:
        reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "spec: bad"));
        return reactor;
      case Mode::kOk:
        break;
    }
    response->set_outcome(agent::MeasureResult::OK);
    response->set_request_id(request->request_id());
    response->set_protocol_version(1);
    response->set_peak_memory_bytes(1000);
    response->set_weight_bytes(800);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  FakeAgent* owner_;
};

FakeAgent::FakeAgent(Mode mode, std::chrono::milliseconds delay)
    : service_(std::make_unique<Service>(this)), mode_(mode), delay_(delay) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  address_ = "127.0.0.1:" + std::to_string(port);
}

FakeAgent::~FakeAgent() { Shutdown(); }

void FakeAgent::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_.reset();
  }
}

}  // namespace nas::star::testing
