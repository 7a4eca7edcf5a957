// `evaluator serve`: the command-line face of the Evaluator service (evaluator_service.h).
// AddServeCommand registers the subcommand on the `evaluator` binary's CLI::App with the
// trainer to serve (nas::eval::Evaluate there; a fake in tests). The subcommand listens
// (--listen, default 0.0.0.0:50071, so that coordinators on other machines reach it),
// prints "listening HOST:PORT" on stdout once it serves, logs one line per request on
// stderr, and stops cleanly on SIGINT / SIGTERM (queued requests fail with UNAVAILABLE,
// evaluations in flight get --shutdown-grace seconds, then are cancelled; the coordinator
// retries them on another service). A failure to start throws CLI::RuntimeError(1) after
// saying why, which CLI11_PARSE turns into the exit status.
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "evaluator/evaluate.h"
#include "evaluator/evaluator_service.h"

namespace nas::eval {

inline constexpr char kDefaultServeAddress[] = "0.0.0.0:50071";

void AddServeCommand(CLI::App& app, EvaluateFn evaluate);

// One request's log line, e.g.
//   "evaluate tiny-3 [1f3a9c0e.../mad:5d2c] 12.3 s: OK quality 0.5321"
//   "evaluate tiny-3 [req-7] 0.0 s: INVALID_ARGUMENT: spec.layers[0]...: ..."
std::string FormatEvaluationLog(const EvaluationLogEntry& entry);

}  // namespace nas::eval
