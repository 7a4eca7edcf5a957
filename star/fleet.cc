#include "star/fleet.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "base/grpc_status.h"
#include "proto/device_agent.grpc.pb.h"

namespace nas::star {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<PoolWorker> PoolWorkers(const std::vector<AgentAddress>& agents) {
  std::vector<PoolWorker> workers;
  for (const AgentAddress& a : agents) workers.push_back({a.device_class, a.address});
  return workers;
}

PoolOptions PoolOptionsOf(const FleetOptions& options) {
  PoolOptions pool;
  pool.quarantine_after = options.quarantine_after;
  pool.max_attempts_per_job = options.max_attempts_per_job;
  return pool;
}

}  // namespace

std::string DescribeCallFailure(const grpc::Status& status) {
  return absl::StrCat(
      absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), ": ",
      status.error_message());
}

struct Fleet::Impl {
  Impl(std::vector<AgentAddress> agents, const FleetOptions& fleet_options)
      : options(fleet_options),
        addresses(std::move(agents)),
        pool(PoolWorkers(addresses), PoolOptionsOf(fleet_options)) {
    for (const AgentAddress& a : addresses) {
      stubs.push_back(agent::DeviceAgent::NewStub(
          grpc::CreateChannel(a.address, grpc::InsecureChannelCredentials())));
    }
  }

  FleetOptions options;
  std::vector<AgentAddress> addresses;
  WorkerPool pool;
  std::vector<std::unique_ptr<agent::DeviceAgent::Stub>> stubs;
};

Fleet::Fleet(std::vector<AgentAddress> agents, FleetOptions options)
    : impl_(std::make_unique<Impl>(std::move(agents), options)) {}

Fleet::~Fleet() = default;

void Fleet::Run(std::vector<MeasureJob> jobs,
                const std::function<void(const JobResult&)>& on_result,
                const std::function<void(const AgentEvent&)>& on_event,
                const std::function<void(const MeasureJob&, const std::string&)>& on_dispatch) {
  Impl& s = *impl_;
  // Pool job i is jobs[i]; its answer lands in answers[i] (one call at a time per job).
  std::vector<JobResult> answers(jobs.size());
  std::vector<PoolJob> pool_jobs;
  for (size_t i = 0; i < jobs.size(); ++i) {
    pool_jobs.push_back({i, jobs[i].device_class, jobs[i].preferred_agent});
  }
  const WorkerPool::Call call = [&](size_t worker, const PoolJob& job, int attempt) {
    const MeasureJob& measure = jobs[job.id];
    const AgentAddress& agent = s.addresses[worker];
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(measure.request.deadline_seconds()) +
                         s.options.call_slack);
    if (!agent.token.empty()) context.AddMetadata("authorization", "Bearer " + agent.token);
    JobResult& r = answers[job.id];
    r.result.Clear();
    const auto start = Clock::now();
    const grpc::Status status = s.stubs[worker]->Measure(&context, measure.request, &r.result);
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // A malformed request fails the same way everywhere: the job's failure, not the agent's.
    if (status.ok() || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      r.status = FromGrpc(status);
      return CallOutcome::Done();
    }
    return CallOutcome::WorkerFailed(DescribeCallFailure(status));
  };
  const auto on_end = [&](const PoolJobEnd& end) {
    JobResult r = std::move(answers[end.id]);
    r.id = jobs[end.id].id;
    r.device_class = end.group;
    r.agent = end.worker;
    r.attempts = end.attempts;
    if (!end.status.ok()) {
      r.status = end.status;
      r.result.Clear();
      r.seconds = 0;
    }
    on_result(r);
  };
  const auto on_worker_event = [&](const WorkerEvent& e) {
    if (on_event) on_event({e.kind, e.group, e.worker, e.message});
  };
  const auto on_pool_dispatch = [&](const PoolJob& job, const std::string& worker) {
    if (on_dispatch) on_dispatch(jobs[job.id], worker);
  };
  s.pool.Run(std::move(pool_jobs), call, on_end, on_worker_event, on_pool_dispatch);
}

void Fleet::Stop() { impl_->pool.Stop(); }

std::vector<AgentState> Fleet::Agents() const {
  std::vector<AgentState> agents;
  const std::vector<WorkerState> workers = impl_->pool.Workers();
  for (size_t i = 0; i < workers.size(); ++i) {
    const WorkerState& w = workers[i];
    agents.push_back({impl_->addresses[i], w.consecutive_failures, w.failures, w.completed,
                      w.quarantined});
  }
  return agents;
}

}  // namespace nas::star
