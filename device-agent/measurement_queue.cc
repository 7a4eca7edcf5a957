#include "device-agent/measurement_queue.h"

#include "absl/strings/str_cat.h"
#include "device-agent/agent_version.h"

namespace nas::agent {

MeasurementQueue::MeasurementQueue(Measurer& measurer, size_t max_queue)
    : measurer_(measurer), max_queue_(max_queue), worker_([this] { WorkerLoop(); }) {}

MeasurementQueue::~MeasurementQueue() { Shutdown(std::chrono::milliseconds(0)); }

absl::Status MeasurementQueue::Enqueue(MeasureRequest request, MeasureResult* response,
                                       Done done) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!accepting_) return absl::UnavailableError("the agent is shutting down");
  if (queue_.size() >= max_queue_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the queue is full (", max_queue_, " measurements waiting); retry later"));
  }
  queue_.push_back({std::move(request), response, std::move(done), std::chrono::steady_clock::now()});
  wake_.notify_one();
  return absl::OkStatus();
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
      in_flight_ = true;
      in_flight_id_ = job.request.request_id();
      in_flight_pid_ = 0;
      in_flight_since_ = std::chrono::steady_clock::now();
      in_flight_child_ = &child;
    }
    const double waited_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.arrived)
            .count();
    *job.response = measurer_.Measure(job.request, waited_ms, child, [&](int pid) {
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_pid_ = pid;
    });
    {
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_ = false;
      in_flight_child_ = nullptr;
      in_flight_pid_ = 0;
      ++completed_;
    }
    job.done(absl::OkStatus());
  }
}

void MeasurementQueue::Shutdown(std::chrono::milliseconds grace) {
  std::deque<Job> abandoned;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!worker_.joinable()) return;
    accepting_ = false;
    abandoned.swap(queue_);
  }
  for (Job& job : abandoned) {
    job.done(absl::UnavailableError("the agent shut down before running this measurement"));
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
