// star-synthetic-store: writes a synthetic campaign store (star/bench/synthetic_store.h)
// for report benchmarks, e.g.
//   star-synthetic-store --candidates 1000 --out /tmp/synthetic.db
//   star report --db /tmp/synthetic.db --out /tmp/synthetic-report
#include <filesystem>
#include <iostream>

#include "CLI/CLI.hpp"
#include "star/bench/synthetic_store.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Writes a synthetic campaign store (two device classes, two references, "
      "measurements with a spread, proxy quality, generations, a failed measurement "
      "and a quarantined agent) for `star report` benchmarks and tests."};
  nas::star::bench::SyntheticStoreOptions options;
  std::string out;
  bool no_quality = false, force = false;
  app.add_option("--out", out, "Store to create (SQLite)")->required();
  app.add_option("--candidates", options.candidates, "Searched candidates (default 1000)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--generations", options.generations_done, "Generations done (default 5)")
      ->check(CLI::Range(1, 10000));
  app.add_option("--planned", options.generations_planned,
                 "Generations planned (default: as many as done; more = a running campaign)");
  app.add_option("--seed", options.seed, "Seed (default 1)");
  app.add_flag("--no-quality", no_quality, "No quality objective and no evaluator");
  app.add_flag("-f,--force", force, "Replace an existing store");
  CLI11_PARSE(app, argc, argv);
  if (app.count("--planned") == 0) options.generations_planned = options.generations_done;
  options.quality_objective = !no_quality;
  if (std::filesystem::exists(out)) {
    if (!force) {
      std::cerr << "star-synthetic-store: " << out << " exists (--force to replace it)\n";
      return 2;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(out + suffix);
  }
  if (auto status = nas::star::bench::WriteSyntheticStore(out, options); !status.ok()) {
    std::cerr << "star-synthetic-store: " << status.message() << "\n";
    return 1;
  }
  std::cerr << "star-synthetic-store: wrote " << out << "\n";
  return 0;
}
