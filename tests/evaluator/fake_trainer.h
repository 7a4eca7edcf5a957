// A stand-in for nas::eval::Evaluate in tests of the service and the coordinator: by
// default it answers at once (after one progress report) with a deterministic quality in
// [0, 1) derived from the spec;
// on demand (per request, through `behaviour`) it diverges, fails, returns an error,
// throws, waits until its evaluation is cancelled, or waits until Release(). It counts
// calls, records requests, and lets tests wait for events with a bound (no sleeps).
// Thread-safe. Header-only, so that star_tests can use it too.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "evaluator/evaluate.h"

namespace nas::eval::testing {

class FakeTrainer {
 public:
  enum class Behaviour {
    kOk,              // outcome OK, quality QualityOf(spec)
    kDiverge,         // outcome DIVERGED
    kFail,            // outcome FAILED, failure "fake failure"
    kError,           // status INTERNAL "fake internal error"
    kThrow,           // throws std::runtime_error("fake exception")
    kWaitForCancel,   // waits (at most 30 s) until options.cancel is set, then CANCELLED
    kWaitForRelease,  // waits (at most 30 s) until Release(), then as kOk
  };

  // The quality kOk answers: the same for the same spec, in [0, 1).
  static double QualityOf(const ArchSpec& spec) {
    const size_t h = std::hash<std::string>{}(spec.SerializeAsString());
    return static_cast<double>(h % 10007) / 10007.0;
  }

  // Chooses the behaviour per request (default: kOk for every request).
  void set_behaviour(std::function<Behaviour(const EvaluateRequest&)> behaviour) {
    std::lock_guard<std::mutex> lock(mutex_);
    behaviour_ = std::move(behaviour);
  }
  void set_behaviour(Behaviour b) {
    set_behaviour([b](const EvaluateRequest&) { return b; });
  }

  EvaluateFn fn() {
    return [this](const EvaluateRequest& request, const EvaluateOptions& options) {
      return Call(request, options);
    };
  }

  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  int calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  int cancels_seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancels_seen_;
  }
  std::vector<EvaluateRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

  // Waits (at most `timeout`) until `predicate` holds over (calls, cancels seen).
  bool WaitFor(const std::function<bool(int calls, int cancels)>& predicate,
               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return predicate(calls_, cancels_seen_); });
  }

 private:
  absl::StatusOr<EvaluationResult> Call(const EvaluateRequest& request,
                                        const EvaluateOptions& options) {
    Behaviour b;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++calls_;
      requests_.push_back(request);
      b = behaviour_ ? behaviour_(request) : Behaviour::kOk;
      changed_.notify_all();
    }
    EvaluationResult result;
    result.set_seed(request.seed());
    *result.mutable_settings() = request.settings();
    result.set_evaluator("fake trainer");
    switch (b) {
      case Behaviour::kDiverge:
        result.set_outcome(EvaluationResult::DIVERGED);
        result.set_failure("loss became NaN at step 7");
        return result;
      case Behaviour::kFail:
        result.set_outcome(EvaluationResult::FAILED);
        result.set_failure("fake failure");
        return result;
      case Behaviour::kError:
        return absl::InternalError("fake internal error");
      case Behaviour::kThrow:
        throw std::runtime_error("fake exception");
      case Behaviour::kWaitForCancel: {
        // The flag is polled, as the trainer checks it every step.
        std::unique_lock<std::mutex> lock(mutex_);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
        while (!cancelled() && std::chrono::steady_clock::now() < give_up) {
          changed_.wait_for(lock, std::chrono::milliseconds(5));
        }
        if (!cancelled()) return absl::DeadlineExceededError("fake trainer: never cancelled");
        ++cancels_seen_;
        changed_.notify_all();
        return absl::CancelledError("cancelled");
      }
      case Behaviour::kWaitForRelease: {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; });
        break;
      }
      case Behaviour::kOk:
        break;
    }
    if (options.progress) {
      TrainingProgress p;
      p.task = "in_context_recall";
      p.learning_rate = 0.003;
      p.runs = 1;
      p.step = p.steps = 10;
      p.run_finished = true;
      p.accuracy = QualityOf(request.spec());
      options.progress(p);
    }
    result.set_outcome(EvaluationResult::OK);
    result.set_quality(QualityOf(request.spec()));
    TaskScore* task = result.add_tasks();
    task->set_task("in_context_recall");
    task->set_accuracy(result.quality());
    return result;
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<Behaviour(const EvaluateRequest&)> behaviour_;
  bool released_ = false;
  int calls_ = 0;
  int cancels_seen_ = 0;
  std::vector<EvaluateRequest> requests_;
};

}  // namespace nas::eval::testing
