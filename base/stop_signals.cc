#include "base/stop_signals.h"

#include <signal.h>

#include <atomic>

namespace nas {
namespace {

std::atomic<int> g_received{0};
std::atomic<int> g_last{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void RecordStopSignal(int sig) {
  g_last.store(sig);
  g_received.fetch_add(1);
}

}  // namespace

void InstallStopSignalHandler() {
  struct sigaction action {};
  action.sa_handler = RecordStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int StopSignalsReceived() { return g_received.load(); }

int LastStopSignal() { return g_last.load(); }

}  // namespace nas
