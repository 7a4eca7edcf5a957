// `evaluator run`: trains one architecture (a preset or an ArchSpec file) on MAD tasks or a
// text corpus in this process and prints per-task accuracy (or validation loss and
// perplexity), the training curves as they come (loss every --log-every steps) and, with
// --json, the whole EvaluationResult.
#pragma once

#include <CLI/CLI.hpp>

namespace nas::eval {

void AddRunCommand(CLI::App& app);

}  // namespace nas::eval
