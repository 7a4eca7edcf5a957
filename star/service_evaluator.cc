#include "star/service_evaluator.h"

#include <grpcpp/grpcpp.h>

#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "proto/evaluator.grpc.pb.h"
#include "star/cancel_watch.h"
#include "star/fleet.h"
#include "star/trained_quality.h"

namespace nas::star {
namespace {

std::vector<PoolWorker> Services(const std::vector<std::string>& addresses) {
  std::vector<PoolWorker> workers;
  for (const std::string& address : addresses) workers.push_back({"", address});
  return workers;
}

PoolOptions PoolOptionsOf(const ServicePoolOptions& options) {
  PoolOptions pool;
  pool.quarantine_after = options.quarantine_after;
  pool.max_attempts_per_job = options.max_attempts_per_job;
  pool.worker_noun = "evaluator service";
  pool.verb = "evaluate";
  return pool;
}

class ServiceEvaluator : public TrainedEvaluator {
 public:
  ServiceEvaluator(TrainingConfig config, std::vector<std::string> addresses,
                   const ServicePoolOptions& options)
      : TrainedEvaluator(std::move(config)),
        addresses_(std::move(addresses)),
        call_deadline_(config_.timeout + options.call_slack),
        pool_(Services(addresses_), PoolOptionsOf(options)) {
    for (const std::string& address : addresses_) {
      stubs_.push_back(eval::Evaluator::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
    }
  }

  int parallelism() const override { return static_cast<int>(addresses_.size()); }

  absl::StatusOr<QualityScore> Evaluate(const QualityJob& job,
                                        const QualityContext& context) override {
    absl::StatusOr<QualityScore> score = absl::InternalError("no result");
    EvaluateBatch({job}, context,
                  [&](size_t, const absl::StatusOr<QualityScore>& s) { score = s; });
    return score;
  }

  void EvaluateBatch(const std::vector<QualityJob>& jobs, const QualityContext& context,
                     const std::function<void(size_t, const absl::StatusOr<QualityScore>&)>&
                         on_result) override {
    std::vector<QualityScore> answers(jobs.size());
    std::vector<PoolJob> pool_jobs;
    for (size_t i = 0; i < jobs.size(); ++i) pool_jobs.push_back({i, "", ""});
    auto stopping = [&] { return context.stop != nullptr && context.stop->load(); };
    // The calls in flight, to cancel when the campaign stops.
    std::mutex mutex;
    std::set<grpc::ClientContext*> in_flight;
    bool cancelled = false;
    CancelWatch watch(stopping, [&] {
      pool_.Stop();
      std::lock_guard<std::mutex> lock(mutex);
      cancelled = true;
      for (grpc::ClientContext* c : in_flight) c->TryCancel();
    });
    const WorkerPool::Call call = [&](size_t service, const PoolJob& pool_job, int) {
      const QualityJob& job = jobs[pool_job.id];
      grpc::ClientContext call_context;
      call_context.set_deadline(std::chrono::system_clock::now() + call_deadline_);
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (cancelled) return CallOutcome::Abandoned();
        in_flight.insert(&call_context);
      }
      eval::EvaluationResult result;
      const grpc::Status status = stubs_[service]->Evaluate(&call_context, Request(job), &result);
      {
        std::lock_guard<std::mutex> lock(mutex);
        in_flight.erase(&call_context);
        if (cancelled) return CallOutcome::Abandoned();
      }
      if (status.ok()) {
        answers[pool_job.id] = ScoreFromResult(result);
        return CallOutcome::Done();
      }
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        answers[pool_job.id].failure =
            absl::StrCat("rejected by the evaluator service: ", status.error_message());
        return CallOutcome::Done();
      }
      return CallOutcome::WorkerFailed(DescribeCallFailure(status));
    };
    const auto on_end = [&](const PoolJobEnd& end) {
      if (end.status.ok()) {
        on_result(end.id, answers[end.id]);
      } else if (end.status.code() == absl::StatusCode::kCancelled || end.no_worker_left) {
        on_result(end.id, end.status);  // not a result: nothing is known of the candidate
      } else {
        QualityScore failed;
        failed.failure = std::string(end.status.message());
        on_result(end.id, failed);
      }
    };
    const auto on_event = [&](const WorkerEvent& e) {
      if (context.on_event) context.on_event(e);
    };
    pool_.Run(std::move(pool_jobs), call, on_end, on_event);
  }

 private:
  const std::vector<std::string> addresses_;
  const std::chrono::seconds call_deadline_;
  WorkerPool pool_;
  std::vector<std::unique_ptr<eval::Evaluator::Stub>> stubs_;
};

}  // namespace

std::unique_ptr<QualityEvaluator> MakeServiceEvaluator(TrainingConfig config,
                                                       std::vector<std::string> addresses,
                                                       const ServicePoolOptions& options) {
  return std::make_unique<ServiceEvaluator>(std::move(config), std::move(addresses), options);
}

}  // namespace nas::star
