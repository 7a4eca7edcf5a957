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
        owner_->Answer(reactor, grpc::Status(grpc::StatusCode::UNAVAILABLE, "fake agent is down"));
        return reactor;
      case Mode::kInvalidArgument:
        owner_->Answer(reactor, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "spec: bad"));
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
          owner_->Answer(reactor,
                         grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
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
          owner_->Answer(reactor, grpc::Status(grpc::StatusCode::NOT_FOUND,
                                               "gguf: " + std::string(read.status().message())));
          return reactor;
        }
        spec = *std::move(read);
        break;
      }
      default:
        owner_->Answer(reactor, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                             "model: set spec, preset or gguf"));
        return reactor;
    }
    {
      std::lock_guard<std::mutex> lock(owner_->mutex_);
      owner_->requests_.push_back(*request);
    }
    *response = SimulatedMeasureResult(spec, request->protocol(), request->weight_type());
    if (response->outcome() == agent::MeasureResult::INVALID) {  // the agent's validation
      owner_->Answer(reactor,
                     grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, response->message()));
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
    owner_->Answer(reactor, grpc::Status::OK);
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

void FakeAgent::Answer(grpc::ServerUnaryReactor* reactor, const grpc::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (held_) {
      held_answers_.emplace_back(reactor, status);
      return;
    }
  }
  reactor->Finish(status);
}

void FakeAgent::HoldCalls() {
  std::lock_guard<std::mutex> lock(mutex_);
  held_ = true;
}

void FakeAgent::ReleaseCalls() {
  std::vector<std::pair<grpc::ServerUnaryReactor*, grpc::Status>> answers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_ = false;
    answers.swap(held_answers_);
  }
  for (auto& [reactor, status] : answers) reactor->Finish(status);
}

std::vector<agent::MeasureRequest> FakeAgent::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void FakeAgent::Shutdown() {
  ReleaseCalls();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_.reset();
  }
}

bool HoldAnswersUntil(const std::vector<FakeAgent*>& agents, const std::function<bool()>& ready,
                      const std::function<void()>& run) {
  for (FakeAgent* a : agents) a->HoldCalls();
  std::atomic<bool> done{false};
  std::thread runner([&] {
    run();
    done = true;
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(50);
  while (!ready() && !done && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const bool held = ready();
  for (FakeAgent* a : agents) a->ReleaseCalls();
  runner.join();
  return held;
}

}  // namespace nas::star::testing
