#include "evaluator/evaluator_service.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/grpc_status.h"
#include "evaluator/evaluate_guarded.h"
#include "evaluator/evaluation_settings.h"
#include "liv/model/arch_spec_validate.h"

namespace nas::eval {
namespace {

using Clock = std::chrono::steady_clock;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

absl::Status ValidateEvaluateRequest(const EvaluateRequest& request) {
  if (!request.has_spec()) return absl::InvalidArgumentError("spec: missing");
  if (absl::Status s = liv::ValidateArchSpec(request.spec()); !s.ok()) {
    // liv's paths are relative to the spec ("layers[2]..."), or "spec" itself (the cap).
    const std::string message(s.message());
    return absl::InvalidArgumentError(
        absl::StartsWith(message, "spec") ? message : absl::StrCat("spec.", message));
  }
  return ValidateSettings(request.settings(), "settings");
}

// One Evaluate call: its cancellation reaches the evaluation through `cancel`.
class EvaluateCall final : public grpc::ServerUnaryReactor {
 public:
  EvaluateCall(EvaluatorService::Impl* owner, uint64_t id) : owner_(owner), id_(id) {}
  void OnCancel() override;
  void OnDone() override { delete this; }

  const std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);

 private:
  EvaluatorService::Impl* owner_;
  uint64_t id_;
};

struct EvaluatorService::Impl {
  struct Job {
    uint64_t id = 0;
    const EvaluateRequest* request = nullptr;
    EvaluationResult* response = nullptr;
    EvaluateCall* call = nullptr;
  };

  EvaluateFn evaluate;
  EvaluatorServiceOptions options;
  std::string host = HostName();

  mutable std::mutex mutex;
  std::condition_variable wake;  // slot threads: work or stop; Shutdown: a slot finished
  std::deque<Job> queue;
  std::vector<std::shared_ptr<std::atomic<bool>>> running_cancels;
  uint64_t next_id = 1;
  int running = 0;
  uint64_t completed = 0;
  bool accepting = true;
  bool stopping = false;           // slot threads exit
  bool cancelled_for_shutdown = false;
  std::mutex log_mutex;
  std::vector<std::thread> slots;

  void Log(const Job& job, const absl::Status& status, double seconds) {
    if (!options.on_finished) return;
    EvaluationLogEntry entry;
    entry.request_id = job.request->request_id();
    entry.spec_name = job.request->spec().name();
    entry.seconds = seconds;
    entry.status = status;
    if (status.ok()) {
      entry.outcome = job.response->outcome();
      entry.quality = job.response->quality();
    }
    std::lock_guard<std::mutex> lock(log_mutex);
    options.on_finished(entry);
  }

  void Finish(const Job& job, const absl::Status& status, double seconds) {
    Log(job, status, seconds);
    job.call->Finish(ToGrpc(status));
  }

  // The client went away or its deadline passed: a queued job is dropped at once (a
  // running one sees its cancel flag).
  void Dropped(uint64_t id) {
    Job job;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = std::find_if(queue.begin(), queue.end(), [&](const Job& j) { return j.id == id; });
      if (it == queue.end()) return;
      job = *it;
      queue.erase(it);
    }
    Finish(job, absl::CancelledError("cancelled by the client while queued"), 0);
  }

  void Slot() {
    while (true) {
      Job job;
      std::shared_ptr<std::atomic<bool>> cancel;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping
        job = queue.front();
        queue.pop_front();
        cancel = job.call->cancel;
        running_cancels.push_back(cancel);
        ++running;
      }
      EvaluateOptions evaluate_options;
      evaluate_options.cancel = cancel.get();
      const auto start = Clock::now();
      absl::StatusOr<EvaluationResult> result = EvaluateGuarded(evaluate, *job.request, evaluate_options);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      absl::Status status = result.status();
      bool shut_down = false;
      {
        std::lock_guard<std::mutex> lock(mutex);
        std::erase(running_cancels, cancel);
        shut_down = cancelled_for_shutdown;
      }
      if (result.ok()) {
        *job.response = *std::move(result);
      } else if (shut_down && status.code() == absl::StatusCode::kCancelled) {
        status = absl::UnavailableError("the evaluator service shut down during the evaluation");
      }
      {
        std::lock_guard<std::mutex> lock(mutex);  // before the answer: a caller's Health agrees
        --running;
        ++completed;
      }
      wake.notify_all();
      Finish(job, status, seconds);
    }
  }
};

void EvaluateCall::OnCancel() {
  cancel->store(true);
  owner_->Dropped(id_);
}

EvaluatorService::EvaluatorService(EvaluateFn evaluate, EvaluatorServiceOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->evaluate = std::move(evaluate);
  impl_->options = std::move(options);
  const int slots = std::max(impl_->options.slots, 1);
  for (int i = 0; i < slots; ++i) impl_->slots.emplace_back([this] { impl_->Slot(); });
}

EvaluatorService::~EvaluatorService() { Shutdown(std::chrono::milliseconds(0)); }

grpc::ServerUnaryReactor* EvaluatorService::Evaluate(grpc::CallbackServerContext* context,
                                                     const EvaluateRequest* request,
                                                     EvaluationResult* response) {
  Impl& s = *impl_;
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    id = s.next_id++;
  }
  auto* call = new EvaluateCall(&s, id);
  const Impl::Job job{id, request, response, call};
  absl::Status refused = ValidateEvaluateRequest(*request);
  if (refused.ok()) {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.accepting) {
      refused = absl::UnavailableError("the evaluator service is shutting down");
    } else if (s.queue.size() >= s.options.max_queue) {
      refused = absl::ResourceExhaustedError(absl::StrCat(
          "the evaluator service is busy: ", s.running, " running and ", s.queue.size(),
          " waiting (the most it queues)"));
    } else {
      s.queue.push_back(job);
    }
  }
  if (!refused.ok()) {
    s.Finish(job, refused, 0);
    return call;
  }
  s.wake.notify_all();
  return call;
}

grpc::ServerUnaryReactor* EvaluatorService::Health(grpc::CallbackServerContext* context,
                                                   const EvaluatorHealthRequest*,
                                                   EvaluatorHealth* response) {
  auto* reactor = context->DefaultReactor();
  *response = CurrentHealth();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

EvaluatorHealth EvaluatorService::CurrentHealth() const {
  EvaluatorHealth health;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  health.set_serving(impl_->accepting);
  health.set_host(impl_->host);
  health.set_threads(std::thread::hardware_concurrency());
  health.set_running(static_cast<uint32_t>(impl_->running));
  health.set_queued(static_cast<uint32_t>(impl_->queue.size()));
  health.set_completed(impl_->completed);
  health.set_version(impl_->options.version);
  return health;
}

void EvaluatorService::Shutdown(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  std::deque<Impl::Job> queued;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.stopping) return;
    s.accepting = false;
    queued.swap(s.queue);
  }
  for (const Impl::Job& job : queued) {
    s.Finish(job, absl::UnavailableError("the evaluator service is shutting down"), 0);
  }
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.wake.wait_for(lock, grace, [&] { return s.running == 0; });
    s.cancelled_for_shutdown = true;
    for (const auto& cancel : s.running_cancels) cancel->store(true);
    s.stopping = true;
  }
  s.wake.notify_all();
  for (std::thread& t : s.slots) t.join();
  s.slots.clear();
}

absl::StatusOr<std::unique_ptr<EvaluatorServer>> EvaluatorServer::Start(
    EvaluateFn evaluate, const EvaluatorServerOptions& options) {
  std::unique_ptr<EvaluatorServer> server(new EvaluatorServer());
  server->service_ = std::make_unique<EvaluatorService>(std::move(evaluate), options.service);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->service_.get());
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  // A second service on a taken port is an error, not a silent share of the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->server_.reset();
    server->shut_down_ = true;
    return absl::UnavailableError(absl::StrCat("--listen: cannot listen on ", options.listen));
  }
  const size_t colon = options.listen.rfind(':');
  server->host_ = colon == std::string::npos ? options.listen : options.listen.substr(0, colon);
  return server;
}

EvaluatorServer::~EvaluatorServer() { Shutdown(std::chrono::milliseconds(0)); }

int EvaluatorServer::port() const { return port_; }

std::string EvaluatorServer::address() const { return absl::StrCat(host_, ":", port_); }

EvaluatorHealth EvaluatorServer::Health() const { return service_->CurrentHealth(); }

void EvaluatorServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  service_->Shutdown(grace);  // every Evaluate call is finished here
  // Only idle connections (and Health calls) are left: a client that is not in a call does
  // not answer the server's goodbye, and the server would wait for it until the deadline.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
}

}  // namespace nas::eval
