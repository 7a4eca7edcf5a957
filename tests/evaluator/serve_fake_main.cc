// evaluator-serve-fake: `serve` (evaluator/serve_command.h) around the fake trainer of
// tests/evaluator/fake_trainer.h, for the process test of the subcommand (signals, exit
// status, log lines) without libtorch. A request whose id is "diverge" diverges.
#include "CLI/CLI.hpp"
#include "evaluator/serve_command.h"
#include "tests/evaluator/fake_trainer.h"

int main(int argc, char** argv) {
  nas::eval::testing::FakeTrainer trainer;
  trainer.set_behaviour([](const nas::eval::EvaluateRequest& r) {
    return r.request_id() == "diverge" ? nas::eval::testing::FakeTrainer::Behaviour::kDiverge
                                       : nas::eval::testing::FakeTrainer::Behaviour::kOk;
  });
  CLI::App app{"evaluator-serve-fake: the serve subcommand around a fake trainer (tests)"};
  app.require_subcommand(1);
  nas::eval::AddServeCommand(app, trainer.fn());
  CLI11_PARSE(app, argc, argv);
  return 0;
}
