#include "star/fleet.h"

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "proto/device_agent.grpc.pb.h"

namespace nas::star {
namespace {

using Clock = std::chrono::steady_clock;

struct Pending {
  MeasureJob job;
  int attempts = 0;
  std::string last_agent;
  std::string last_error;
};

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

}  // namespace

struct Fleet::Impl {
  FleetOptions options;
  std::vector<AgentState> agents;
  std::vector<std::unique_ptr<agent::DeviceAgent::Stub>> stubs;

  mutable std::mutex mutex;
  std::condition_variable wake;
  std::map<std::string, std::deque<Pending>> queues;  // by device class
  size_t remaining = 0;
  bool stopping = false;
  std::mutex deliver_mutex;  // results and events are delivered one at a time
  const std::function<void(const JobResult&)>* on_result = nullptr;
  const std::function<void(const AgentEvent&)>* on_event = nullptr;
  const std::function<void(const MeasureJob&, const std::string&)>* on_dispatch = nullptr;

  bool AgentAvailable(const std::string& device_class, const std::string& address) const {
    for (const AgentState& a : agents) {
      if (a.address.device_class == device_class && a.address.address == address) {
        return !a.quarantined;
      }
    }
    return false;
  }

  // The first queued job of the agent's class it may take (called with `mutex` held).
  std::deque<Pending>::iterator Takeable(const AgentState& me) {
    std::deque<Pending>& queue = queues[me.address.device_class];
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      const std::string& preferred = it->job.preferred_agent;
      if (preferred.empty() || preferred == me.address.address || it->attempts > 0 ||
          !AgentAvailable(me.address.device_class, preferred)) {
        return it;
      }
    }
    return queue.end();
  }

  bool ClassHasAgents(const std::string& device_class) const {
    for (const AgentState& a : agents) {
      if (a.address.device_class == device_class && !a.quarantined) return true;
    }
    return false;
  }

  void Deliver(const JobResult& r) {
    std::lock_guard<std::mutex> lock(deliver_mutex);
    (*on_result)(r);
  }

  void Report(const AgentEvent& e) {
    if (on_event == nullptr || !*on_event) return;
    std::lock_guard<std::mutex> lock(deliver_mutex);
    (*on_event)(e);
  }

  // Fails every queued job of a class (called with `mutex` held; delivers after).
  std::vector<JobResult> DrainClass(const std::string& device_class, const absl::Status& why) {
    std::vector<JobResult> failed;
    for (Pending& p : queues[device_class]) {
      JobResult r;
      r.id = p.job.id;
      r.device_class = device_class;
      r.agent = p.last_agent;
      r.attempts = p.attempts;
      r.status = p.last_error.empty()
                     ? why
                     : absl::Status(why.code(), absl::StrCat(why.message(), "; last error: ",
                                                             p.last_error));
      failed.push_back(std::move(r));
    }
    remaining -= queues[device_class].size();
    queues[device_class].clear();
    return failed;
  }

  void Worker(size_t index) {
    AgentState& me = agents[index];
    const std::string& device_class = me.address.device_class;
    while (true) {
      Pending pending;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] {
          return remaining == 0 || stopping || me.quarantined ||
                 Takeable(me) != queues[device_class].end();
        });
        if (remaining == 0 || stopping || me.quarantined) return;
        auto it = Takeable(me);
        pending = std::move(*it);
        queues[device_class].erase(it);
      }
      if (on_dispatch != nullptr && *on_dispatch) {
        std::lock_guard<std::mutex> lock(deliver_mutex);
        (*on_dispatch)(pending.job, me.address.address);
      }
      ++pending.attempts;
      grpc::ClientContext context;
      const auto deadline = std::chrono::seconds(pending.job.request.deadline_seconds()) +
                            options.call_slack;
      context.set_deadline(std::chrono::system_clock::now() + deadline);
      if (!me.address.token.empty()) {
        context.AddMetadata("authorization", "Bearer " + me.address.token);
      }
      JobResult r;
      r.id = pending.job.id;
      r.device_class = device_class;
      r.agent = me.address.address;
      r.attempts = pending.attempts;
      const auto start = Clock::now();
      const grpc::Status status = stubs[index]->Measure(&context, pending.job.request, &r.result);
      r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (status.ok() || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        // A malformed request fails the same way everywhere: the job's failure, not the agent's.
        r.status = FromGrpc(status);
        {
          std::lock_guard<std::mutex> lock(mutex);
          me.consecutive_failures = 0;
          ++me.completed;
          --remaining;
        }
        Deliver(r);
        wake.notify_all();
        continue;
      }
      // An agent failure: give the job back, maybe quarantine this agent.
      const std::string error = absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                                             ": ", status.error_message());
      std::vector<JobResult> failed;
      bool quarantined = false;
      {
        std::lock_guard<std::mutex> lock(mutex);
        ++me.failures;
        ++me.consecutive_failures;
        pending.last_agent = me.address.address;
        pending.last_error = error;
        if (pending.attempts >= options.max_attempts_per_job) {
          r.status = absl::UnavailableError(absl::StrCat("no agent of class ", device_class,
                                                         " could measure it after ",
                                                         pending.attempts, " attempts: ", error));
          --remaining;
          failed.push_back(r);
        } else {
          queues[device_class].push_front(std::move(pending));
        }
        if (me.consecutive_failures >= options.quarantine_after) {
          me.quarantined = true;
          quarantined = true;
          if (!ClassHasAgents(device_class)) {
            auto drained = DrainClass(device_class, absl::UnavailableError(absl::StrCat(
                                                        "every agent of class ", device_class,
                                                        " is quarantined")));
            failed.insert(failed.end(), drained.begin(), drained.end());
          }
        }
      }
      Report({AgentEventKind::kFailure, device_class, me.address.address, error});
      if (quarantined) {
        Report({AgentEventKind::kQuarantined, device_class, me.address.address,
                absl::StrCat(me.consecutive_failures, " consecutive failures; last: ", error)});
      }
      for (const JobResult& f : failed) Deliver(f);
      wake.notify_all();
      if (quarantined) return;
    }
  }
};

Fleet::Fleet(std::vector<AgentAddress> agents, FleetOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  for (AgentAddress& a : agents) {
    impl_->stubs.push_back(agent::DeviceAgent::NewStub(
        grpc::CreateChannel(a.address, grpc::InsecureChannelCredentials())));
    AgentState state;
    state.address = std::move(a);
    impl_->agents.push_back(std::move(state));
  }
}

Fleet::~Fleet() = default;

void Fleet::Run(std::vector<MeasureJob> jobs,
                const std::function<void(const JobResult&)>& on_result,
                const std::function<void(const AgentEvent&)>& on_event,
                const std::function<void(const MeasureJob&, const std::string&)>& on_dispatch) {
  Impl& s = *impl_;
  s.on_result = &on_result;
  s.on_event = &on_event;
  s.on_dispatch = &on_dispatch;
  std::vector<JobResult> failed;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.queues.clear();
    s.remaining = jobs.size();
    for (MeasureJob& job : jobs) {
      const std::string device_class = job.device_class;
      s.queues[device_class].push_back({std::move(job), 0, "", ""});
    }
    for (auto& [device_class, queue] : s.queues) {
      if (!s.ClassHasAgents(device_class)) {
        auto drained = s.DrainClass(device_class, absl::UnavailableError(absl::StrCat(
                                                      "no agent of class ", device_class,
                                                      " is available")));
        failed.insert(failed.end(), drained.begin(), drained.end());
      }
    }
  }
  for (const JobResult& f : failed) s.Deliver(f);
  std::vector<std::thread> workers;
  for (size_t i = 0; i < s.agents.size(); ++i) {
    if (!s.agents[i].quarantined) workers.emplace_back([&s, i] { s.Worker(i); });
  }
  for (std::thread& t : workers) t.join();
  // Jobs left after Stop().
  std::vector<JobResult> cancelled;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (auto& [device_class, queue] : s.queues) {
      auto drained = s.DrainClass(device_class, absl::CancelledError("the campaign stopped"));
      cancelled.insert(cancelled.end(), drained.begin(), drained.end());
    }
  }
  for (const JobResult& c : cancelled) s.Deliver(c);
  s.on_result = nullptr;
  s.on_event = nullptr;
  s.on_dispatch = nullptr;
}

void Fleet::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->stopping = true;
  impl_->wake.notify_all();
}

std::vector<AgentState> Fleet::Agents() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->agents;
}

}  // namespace nas::star
