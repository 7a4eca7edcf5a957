// The `evaluator` command: `evaluator run` trains one architecture here and prints its
// scores; `evaluator serve` answers Evaluate calls from campaigns on other machines.
#include <CLI/CLI.hpp>

#include "evaluator/evaluate.h"
#include "evaluator/run_command.h"
#include "evaluator/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "evaluator: the quality of candidate architectures. Trains each briefly with libtorch on "
      "the MAD synthetic tasks or a text corpus and scores it (accuracy on probed positions, or "
      "validation loss and perplexity)."};
  app.require_subcommand(1);
  nas::eval::AddRunCommand(app);
  nas::eval::AddServeCommand(app, nas::eval::Evaluate);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
