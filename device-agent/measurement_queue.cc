#include "device-agent/measurement_queue.h"

#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/str_cat.h"
#include "device-agent/agent_version.h"

namespace nas::agent {

MeasurementQueue::MeasurementQueue(Measurer& measurer, size_t max_queue)
    : measurer_(measurer), max_queue_(max_queue), worker_([this] { WorkerLoop(); }) {}

MeasurementQueue::~MeasurementQueue() { Shutdown(std::chrono::milliseconds(0)); }

absl::Status MeasurementQueue::Enqueue(MeasureRequest request, MeasureResult* response,
                                       Done done) {
  using google::protobuf::util::MessageDifferencer;
  const std::string id = request.request_id();
  auto reused = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id: \"", id, "\" was already used for a different request"));
  };
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) return absl::UnavailableError("the agent is shutting down");
    bool answered = false;
    if (!id.empty()) {
      if (auto it = active_by_id_.find(id); it != active_by_id_.end()) {
        if (!MessageDifferencer::Equals(it->second->request, request)) return reused();
        it->second->waiters.push_back({response, std::move(done)});
        return absl::OkStatus();
      }
      if (auto it = remembered_.find(id); it != remembered_.end()) {
        if (!MessageDifferencer::Equals(it->second.request, request)) return reused();
        *response = it->second.result;
        answered = true;
      }
    }
    if (!answered) {
      if (queue_.size() >= max_queue_) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "the queue is full (", max_queue_, " measurements waiting); retry later"));
      }
      queue_.push_back({std::move(request), {}, std::chrono::steady_clock::now()});
      queue_.back().waiters.push_back({response, std::move(done)});
      if (!id.empty()) active_by_id_[id] = &queue_.back();
      wake_.notify_one();
      return absl::OkStatus();
    }
  }
  done(absl::OkStatus());  // answered from memory, outside the lock
  return absl::OkStatus();
}

void MeasurementQueue::Remember(const Job& job, const MeasureResult& result) {
  const std::string& id = job.request.request_id();
  if (id.empty()) return;
  if (remembered_.emplace(id, Remembered{job.request, result}).second) {
    remembered_order_.push_back(id);
  }
  while (remembered_order_.size() > kRememberedResults) {
    remembered_.erase(remembered_order_.front());
    remembered_order_.pop_front();
  }
}

HealthStatus MeasurementQueue::Health() const {
  std::lock_guard<std::mutex> lock(mutex_);
  HealthStatus h;
  const auto now = std::chrono::steady_clock::now();
  h.set_serving(accepting_);
  h.set_queue_length(static_cast<uint32_t>(queue_.size()));
  if (in_flight_) {
    h.set_in_flight_request_id(in_flight_id_);
    h.set_in_flight_child_pid(in_flight_pid_);
    h.set_in_flight_seconds(std::chrono::duration<double>(now - in_flight_since_).count());
  }
  h.set_completed(completed_);
  h.set_uptime_seconds(std::chrono::duration<double>(now - created_).count());
  h.set_protocol_version(kProtocolVersion);
  return h;
}

void MeasurementQueue::WorkerLoop() {
  while (true) {
    Job job;
    ChildProcess child;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      if (!job.request.request_id().empty()) active_by_id_[job.request.request_id()] = &job;
      in_flight_ = true;
      in_flight_id_ = job.request.request_id();
      in_flight_pid_ = 0;
      in_flight_since_ = std::chrono::steady_clock::now();
      in_flight_child_ = &child;
    }
    const double waited_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.arrived)
            .count();
    const MeasureResult result = measurer_.Measure(job.request, waited_ms, child, [&](int pid) {
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_pid_ = pid;
    });
    std::vector<Waiter> waiters;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_ = false;
      in_flight_child_ = nullptr;
      in_flight_pid_ = 0;
      ++completed_;
      active_by_id_.erase(job.request.request_id());
      Remember(job, result);
      waiters = std::move(job.waiters);
    }
    for (Waiter& w : waiters) {
      *w.response = result;
      w.done(absl::OkStatus());
    }
  }
}

void MeasurementQueue::Shutdown(std::chrono::milliseconds grace) {
  std::deque<Job> abandoned;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!worker_.joinable()) return;
    accepting_ = false;
    abandoned.swap(queue_);
    for (const Job& job : abandoned) active_by_id_.erase(job.request.request_id());
  }
  for (Job& job : abandoned) {
    for (Waiter& w : job.waiters) {
      w.done(absl::UnavailableError("the agent shut down before running this measurement"));
    }
  }
  // Let the job in flight finish within the grace period, then kill its child.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::unique_lock<std::mutex> lock(mutex_);
  while (in_flight_) {
    if (std::chrono::steady_clock::now() >= deadline) {
      if (in_flight_child_ != nullptr) in_flight_child_->Cancel();
      break;
    }
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    lock.lock();
  }
  stopping_ = true;
  wake_.notify_all();
  lock.unlock();
  worker_.join();
}

}  // namespace nas::agent
