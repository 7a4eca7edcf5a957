#include "tests/star/fake_agent.h"

#include <thread>

#include "device-agent/agent_version.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/model/lfm2_presets.h"
#include "tests/star/simulated_measurement.h"

namespace nas::star::testing {

namespace {

absl::StatusOr<ArchSpec> ReadGgufSpec(const std::string& path) {
  absl::StatusOr<liv::GgufReader> reader = liv::GgufReader::Open(path);
  if (!reader.ok()) return reader.status();
  return liv::Lfm2ArchSpecFromGguf(*reader);
}

}  // namespace

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
    ArchSpec spec;
    switch (request->model_case()) {
      case agent::MeasureRequest::kSpec:
        spec = request->spec();
        break;
      case agent::MeasureRequest::kPreset: {
        auto preset = liv::PresetArchSpec(request->preset());
        if (!preset.ok()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                       "preset: " + std::string(preset.status().message())));
          return reactor;
        }
        spec = *std::move(preset);
        break;
      }
      case agent::MeasureRequest::kGguf: {
        std::string path;
        {
          std::lock_guard<std::mutex> lock(owner_->mutex_);
          path = owner_->models_dir_ + "/" + request->gguf();
        }
        absl::StatusOr<ArchSpec> read = ReadGgufSpec(path);
        if (!read.ok()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                       "gguf: " + std::string(read.status().message())));
          return reactor;
        }
        spec = *std::move(read);
        break;
      }
      default:
        reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     "model: set spec, preset or gguf"));
        return reactor;
    }
    {
      std::lock_guard<std::mutex> lock(owner_->mutex_);
      owner_->requests_.push_back(*request);
    }
    *response = SimulatedMeasureResult(spec, request->protocol(), request->weight_type());
    if (response->outcome() == agent::MeasureResult::INVALID) {  // the agent's validation
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, response->message()));
      return reactor;
    }
    response->set_request_id(request->request_id());
    if (response->outcome() == agent::MeasureResult::OK && request->memory_cap_bytes() != 0 &&
        response->predicted_peak_memory_bytes() > request->memory_cap_bytes()) {
      const uint64_t predicted = response->predicted_peak_memory_bytes();
      response->Clear();
      response->set_protocol_version(agent::kProtocolVersion);
      response->set_request_id(request->request_id());
      response->set_outcome(agent::MeasureResult::OUT_OF_MEMORY);
      response->set_message("predicted peak memory " + std::to_string(predicted) +
                            " bytes exceeds the memory cap " +
                            std::to_string(request->memory_cap_bytes()) + " bytes");
    }
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

void FakeAgent::set_models_dir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mutex_);
  models_dir_ = dir;
}

std::vector<agent::MeasureRequest> FakeAgent::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void FakeAgent::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_.reset();
  }
}

}  // namespace nas::star::testing
