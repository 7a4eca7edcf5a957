#include "evaluator/serve_command.h"

#include "base/stop_signals.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include <cstring>
#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"

namespace nas::eval {
namespace {

struct ServeFlags {
  EvaluatorServerOptions server;
  double shutdown_grace_seconds = 5;
};

// Serves until SIGINT or SIGTERM. Returns the exit status.
int Serve(const EvaluateFn& evaluate, ServeFlags flags) {
  InstallStopSignalHandler();
  flags.server.service.on_finished = [](const EvaluationLogEntry& entry) {
    std::cerr << FormatEvaluationLog(entry) << std::endl;
  };
  auto server = EvaluatorServer::Start(evaluate, flags.server);
  if (!server.ok()) {
    std::cerr << "evaluator: " << server.status().message() << "\n";
    return 1;
  }
  std::cerr << absl::StrFormat("evaluator: serving on %s (%d evaluation slot(s), up to %d "
                               "queued)\n",
                               (*server)->address(), flags.server.service.slots,
                               flags.server.service.max_queue);
  std::cout << "listening " << (*server)->address() << std::endl;  // for scripts and tests
  while (StopSignalsReceived() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int received = LastStopSignal();
  std::cerr << "evaluator: " << strsignal(received) << ": stopping (evaluations in flight get "
            << flags.shutdown_grace_seconds << " s)\n";
  (*server)->Shutdown(std::chrono::milliseconds(
      static_cast<int64_t>(flags.shutdown_grace_seconds * 1000)));
  std::cerr << "evaluator: stopped\n";
  return 0;
}

}  // namespace

std::string FormatEvaluationLog(const EvaluationLogEntry& entry) {
  std::string line = absl::StrFormat(
      "evaluate %s [%s] %.1f s: ", entry.spec_name.empty() ? "(unnamed)" : entry.spec_name,
      entry.request_id.empty() ? "no request id" : entry.request_id, entry.seconds);
  if (!entry.status.ok()) {
    return line + absl::StrFormat("%s: %s", absl::StatusCodeToString(entry.status.code()),
                                  entry.status.message());
  }
  line += EvaluationResult::Outcome_Name(entry.outcome);
  if (entry.outcome == EvaluationResult::OK) line += absl::StrFormat(" quality %.4f", entry.quality);
  return line;
}

void AddServeCommand(CLI::App& app, EvaluateFn evaluate) {
  auto flags = std::make_shared<ServeFlags>();
  flags->server.listen = kDefaultServeAddress;
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Serve the Evaluator gRPC service (proto/evaluator.proto) so that search campaigns on "
      "other machines can train candidates here (search space: evaluator { kind: SERVICE "
      "addresses: [\"HOST:PORT\"] }). Requests are validated (INVALID_ARGUMENT naming the "
      "field), wait in a bounded queue for an evaluation slot and are cancelled when their "
      "caller gives up. One log line per request on stderr; SIGINT/SIGTERM stop it cleanly.");
  serve->add_option("--listen", flags->server.listen,
                    "host:port to serve on; port 0 picks a free one (printed as \"listening "
                    "HOST:PORT\" on stdout). The service has no authentication: serve on a "
                    "trusted network, or on 127.0.0.1 behind an SSH tunnel")
      ->capture_default_str();
  serve->add_option("--slots", flags->server.service.slots,
                    "Evaluations run at a time (each trains with the request's budget.threads)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve->add_option("--max-queue", flags->server.service.max_queue,
                    "Requests that may wait for a slot; beyond it a request is refused with "
                    "RESOURCE_EXHAUSTED (the coordinator then tries another service)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  serve->add_option("--shutdown-grace", flags->shutdown_grace_seconds,
                    "Seconds that evaluations in flight get to finish on SIGINT/SIGTERM before "
                    "they are cancelled")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  serve->callback([flags, evaluate = std::move(evaluate)] {
    if (const int status = Serve(evaluate, *flags); status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace nas::eval
