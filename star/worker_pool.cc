#include "star/worker_pool.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"

namespace nas::star {
namespace {

struct Pending {
  PoolJob job;
  int attempts = 0;
  std::string last_worker;
  std::string last_error;
};

}  // namespace

struct WorkerPool::Impl {
  PoolOptions options;
  std::vector<WorkerState> workers;

  mutable std::mutex mutex;
  std::condition_variable wake;
  std::map<std::string, std::deque<Pending>> queues;  // by group
  size_t remaining = 0;
  bool stopping = false;
  std::mutex deliver_mutex;  // job ends and events are delivered one at a time
  const Call* call = nullptr;
  const std::function<void(const PoolJobEnd&)>* on_end = nullptr;
  const std::function<void(const WorkerEvent&)>* on_event = nullptr;
  const std::function<void(const PoolJob&, const std::string&)>* on_dispatch = nullptr;

  // "agent of class laptop", "evaluator service".
  std::string Of(const std::string& group) const {
    return group.empty() ? options.worker_noun
                         : absl::StrCat(options.worker_noun, " of class ", group);
  }

  bool WorkerAvailable(const std::string& group, const std::string& name) const {
    for (const WorkerState& w : workers) {
      if (w.worker.group == group && w.worker.name == name) return !w.quarantined;
    }
    return false;
  }

  // The first queued job of the worker's group it may take (called with `mutex` held).
  std::deque<Pending>::iterator Takeable(const WorkerState& me) {
    std::deque<Pending>& queue = queues[me.worker.group];
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      const std::string& preferred = it->job.preferred_worker;
      if (preferred.empty() || preferred == me.worker.name || it->attempts > 0 ||
          !WorkerAvailable(me.worker.group, preferred)) {
        return it;
      }
    }
    return queue.end();
  }

  bool GroupHasWorkers(const std::string& group) const {
    for (const WorkerState& w : workers) {
      if (w.worker.group == group && !w.quarantined) return true;
    }
    return false;
  }

  void Deliver(const PoolJobEnd& end) {
    std::lock_guard<std::mutex> lock(deliver_mutex);
    (*on_end)(end);
  }

  void Report(const WorkerEvent& e) {
    if (on_event == nullptr || !*on_event) return;
    std::lock_guard<std::mutex> lock(deliver_mutex);
    (*on_event)(e);
  }

  static PoolJobEnd EndOf(const Pending& p, absl::Status status) {
    return {p.job.id, p.job.group, p.last_worker, std::move(status), p.attempts, false};
  }

  // Ends every queued job of a group (called with `mutex` held; delivered after).
  std::vector<PoolJobEnd> DrainGroup(const std::string& group, const absl::Status& why,
                                     bool no_worker_left) {
    std::vector<PoolJobEnd> ended;
    for (Pending& p : queues[group]) {
      PoolJobEnd end = EndOf(
          p, p.last_error.empty()
                 ? why
                 : absl::Status(why.code(), absl::StrCat(why.message(), "; last error: ",
                                                         p.last_error)));
      end.no_worker_left = no_worker_left;
      ended.push_back(std::move(end));
    }
    remaining -= queues[group].size();
    queues[group].clear();
    return ended;
  }

  void Worker(size_t index) {
    WorkerState& me = workers[index];
    const std::string& group = me.worker.group;
    while (true) {
      Pending pending;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] {
          return remaining == 0 || stopping || me.quarantined ||
                 Takeable(me) != queues[group].end();
        });
        if (remaining == 0 || stopping || me.quarantined) return;
        auto it = Takeable(me);
        pending = std::move(*it);
        queues[group].erase(it);
      }
      if (on_dispatch != nullptr && *on_dispatch) {
        std::lock_guard<std::mutex> lock(deliver_mutex);
        (*on_dispatch)(pending.job, me.worker.name);
      }
      ++pending.attempts;
      const CallOutcome outcome = (*call)(index, pending.job, pending.attempts);
      if (outcome.kind != CallOutcome::Kind::kWorkerFailed) {
        const bool done = outcome.kind == CallOutcome::Kind::kDone;
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (done) {
            me.consecutive_failures = 0;
            ++me.completed;
          }
          --remaining;
        }
        pending.last_worker = me.worker.name;
        Deliver(EndOf(pending, done ? absl::OkStatus() : absl::CancelledError("stopped")));
        wake.notify_all();
        continue;
      }
      // A worker failure: give the job back, maybe quarantine this worker.
      const std::string& error = outcome.error;
      std::vector<PoolJobEnd> failed;
      bool quarantined = false;
      {
        std::lock_guard<std::mutex> lock(mutex);
        ++me.failures;
        ++me.consecutive_failures;
        pending.last_worker = me.worker.name;
        pending.last_error = error;
        if (pending.attempts >= options.max_attempts_per_job) {
          failed.push_back(EndOf(pending, absl::UnavailableError(absl::StrCat(
                                              "no ", Of(group), " could ", options.verb,
                                              " it after ", pending.attempts,
                                              " attempts: ", error))));
          --remaining;
        } else {
          queues[group].push_front(std::move(pending));
        }
        if (me.consecutive_failures >= options.quarantine_after) {
          me.quarantined = true;
          quarantined = true;
          if (!GroupHasWorkers(group)) {
            auto drained = DrainGroup(
                group, absl::UnavailableError(absl::StrCat("every ", Of(group), " is quarantined")),
                /*no_worker_left=*/true);
            failed.insert(failed.end(), drained.begin(), drained.end());
          }
        }
      }
      Report({WorkerEventKind::kFailure, group, me.worker.name, error});
      if (quarantined) {
        Report({WorkerEventKind::kQuarantined, group, me.worker.name,
                absl::StrCat(me.consecutive_failures, " consecutive failures; last: ", error)});
      }
      for (const PoolJobEnd& f : failed) Deliver(f);
      wake.notify_all();
      if (quarantined) return;
    }
  }
};

WorkerPool::WorkerPool(std::vector<PoolWorker> workers, PoolOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  for (PoolWorker& w : workers) {
    WorkerState state;
    state.worker = std::move(w);
    impl_->workers.push_back(std::move(state));
  }
}

WorkerPool::~WorkerPool() = default;

void WorkerPool::Run(std::vector<PoolJob> jobs, const Call& call,
                     const std::function<void(const PoolJobEnd&)>& on_end,
                     const std::function<void(const WorkerEvent&)>& on_event,
                     const std::function<void(const PoolJob&, const std::string&)>& on_dispatch) {
  Impl& s = *impl_;
  s.call = &call;
  s.on_end = &on_end;
  s.on_event = &on_event;
  s.on_dispatch = &on_dispatch;
  std::vector<PoolJobEnd> failed;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.queues.clear();
    s.remaining = jobs.size();
    for (PoolJob& job : jobs) {
      const std::string group = job.group;
      s.queues[group].push_back({std::move(job), 0, "", ""});
    }
    for (auto& [group, queue] : s.queues) {
      if (!s.GroupHasWorkers(group)) {
        auto drained = s.DrainGroup(
            group, absl::UnavailableError(absl::StrCat("no ", s.Of(group), " is available")),
            /*no_worker_left=*/true);
        failed.insert(failed.end(), drained.begin(), drained.end());
      }
    }
  }
  for (const PoolJobEnd& f : failed) s.Deliver(f);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < s.workers.size(); ++i) {
    if (!s.workers[i].quarantined) threads.emplace_back([&s, i] { s.Worker(i); });
  }
  for (std::thread& t : threads) t.join();
  // Jobs left after Stop().
  std::vector<PoolJobEnd> cancelled;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (auto& [group, queue] : s.queues) {
      auto drained = s.DrainGroup(group, absl::CancelledError("stopped"), false);
      cancelled.insert(cancelled.end(), drained.begin(), drained.end());
    }
  }
  for (const PoolJobEnd& c : cancelled) s.Deliver(c);
  s.call = nullptr;
  s.on_end = nullptr;
  s.on_event = nullptr;
  s.on_dispatch = nullptr;
}

void WorkerPool::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->stopping = true;
  impl_->wake.notify_all();
}

std::vector<WorkerState> WorkerPool::Workers() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->workers;
}

}  // namespace nas::star
