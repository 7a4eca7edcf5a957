// Cancels a blocking call from the outside: a thread that asks `should_cancel` every
// `period` while the watch lives and calls `cancel` once when it says yes (to set a
// trainer's cancel flag, cancel a gRPC call, kill a child process). The campaign's stop
// flag and per-candidate deadlines reach the evaluations this way. Destruction stops the
// thread (at most one period later). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace nas::star {

class CancelWatch {
 public:
  CancelWatch(std::function<bool()> should_cancel, std::function<void()> cancel,
              std::chrono::milliseconds period = std::chrono::milliseconds(50))
      : thread_([this, should_cancel = std::move(should_cancel), cancel = std::move(cancel),
                 period] {
          std::unique_lock<std::mutex> lock(mutex_);
          while (!done_) {
            if (should_cancel()) {
              fired_ = true;
              cancel();
              return;
            }
            wake_.wait_for(lock, period);
          }
        }) {}

  ~CancelWatch() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  CancelWatch(const CancelWatch&) = delete;
  CancelWatch& operator=(const CancelWatch&) = delete;

  // Whether `cancel` was called.
  bool fired() const { return fired_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace nas::star
