// star: the search coordinator's command line.
//   star run --space SPACE.textproto --db CAMPAIGN.db   start a campaign and run it to the end
//   star resume --db CAMPAIGN.db                        continue a stopped or killed campaign
//   star status --db CAMPAIGN.db                        progress, fleet health, current front
//   star front --db CAMPAIGN.db [--csv]                 the Pareto front (table or CSV)
//   star report --db CAMPAIGN.db --out DIR              report.html, report.json, CSVs
//   star report --db CAMPAIGN.db --format md            the front as Markdown on stdout
//   star check --space SPACE.textproto                  validate a search space
// Exit codes: 0 done, 1 error, 2 bad usage or input, 3 no agent left for a device class
// (resumable), 130 stopped by Ctrl-C / SIGTERM (resumable).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "star/agent_probe.h"
#include "star/campaign.h"
#include "star/campaign_measure.h"
#include "star/campaign_snapshot.h"
#include "star/front_table.h"
#include "star/genome_layout.h"
#include "star/layer_string.h"
#include "base/stop_signals.h"
#include "star/progress_line.h"
#include "star/report_builder.h"
#include "results/report_files.h"
#include "results/report_markdown.h"
#ifdef NAS_STAR_HAS_TRAINER
#include "evaluator/evaluate.h"
#endif
#include "star/quality_evaluator.h"
#include "star/search_space.h"

namespace {

using nas::star::Campaign;

// What this build gives the quality evaluators: the in-process trainer (kinds MAD and
// CORPUS) is nas::eval::Evaluate from the evaluator library (libtorch). A build without it
// (NAS_BUILD_EVALUATOR=OFF) refuses those kinds with "this build has no in-process
// evaluator"; SERVICE and COMMAND work either way.
nas::star::QualityEvaluatorDeps QualityDeps() {
  nas::star::QualityEvaluatorDeps deps;
#ifdef NAS_STAR_HAS_TRAINER
  deps.local = nas::eval::Evaluate;
#endif
  return deps;
}
using nas::star::CampaignProgress;

int Fail(const absl::Status& status) {
  std::cerr << "star: " << status.message() << "\n";
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kUnimplemented:
      return 2;
    case absl::StatusCode::kUnavailable:
      return 3;
    case absl::StatusCode::kCancelled:
      return 130;
    default:
      return 1;
  }
}

// Prints progress on stderr: one rewritten line on a terminal, else a line per
// generation and at most one every 10 s.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {}
  void Print(const CampaignProgress& p) {
    if (quiet_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::string line = nas::star::FormatProgressLine(p);
    const auto now = std::chrono::steady_clock::now();
    const bool generation_done = p.message.rfind("generation ", 0) == 0;
    if (tty_) {
      if (line.size() > 160) line = line.substr(0, 157) + "...";
      std::cerr << "\r\033[K" << line << (generation_done ? "\n" : "") << std::flush;
    } else if (generation_done || now - last_ > std::chrono::seconds(10)) {
      std::cerr << line << "\n";
      last_ = now;
    }
  }
  void Finish() {
    if (tty_ && !quiet_) std::cerr << "\n";
  }

 private:
  bool quiet_, tty_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
};

// Runs the campaign with SIGINT / SIGTERM turned into Campaign::Stop() (a second signal
// quits at once; what was stored stays, and `star resume` continues).
int RunCampaign(Campaign& campaign, const std::vector<std::string>& reuse_from, bool quiet,
                const std::string& db) {
  nas::InstallStopSignalHandler();
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    int handled = 0;
    while (!finished) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const int received = nas::StopSignalsReceived();
      if (received == handled) continue;
      handled = received;
      if (received >= 2) {
        std::cerr << "\nstar: stopped at once; resume with `star resume --db " << db << "`\n";
        _exit(130);
      }
      std::cerr << "\nstar: stopping after the measurements in flight; trainings in flight are "
                   "cancelled (again to quit now)\n";
      campaign.Stop();
    }
  });
  ProgressPrinter printer(quiet);
  nas::star::CampaignRunOptions options;
  options.reuse_from = reuse_from;
  options.quality = QualityDeps();
  options.on_progress = [&](const CampaignProgress& p) { printer.Print(p); };
  const auto started = std::chrono::steady_clock::now();
  absl::Status status = campaign.Run(options);
  finished = true;
  watcher.join();
  printer.Finish();
  if (status.code() == absl::StatusCode::kCancelled) {
    std::cerr << "star: stopped; everything measured is stored. Resume with `star resume --db "
              << db << "`\n";
    return 130;
  }
  if (!status.ok()) return Fail(status);
  auto snapshot = nas::star::LoadSnapshot(campaign.store());
  if (!snapshot.ok()) return Fail(snapshot.status());
  std::cerr << absl::StrFormat("star: campaign complete in %s: %d candidates over %d generations\n",
                               nas::star::FormatDuration(std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - started).count()),
                               snapshot->candidates.size(), snapshot->generations_done);
  std::cout << nas::star::FormatFrontTable(*snapshot);
  return 0;
}

// Candidates whose quality evaluation gave no score, with the reason (the first few).
void PrintFailedEvaluations(const nas::star::CampaignSnapshot& s) {
  constexpr int kShown = 5;
  int failed = 0;
  for (const auto& c : s.candidates) {
    if (c.facts.quality_failure.empty()) continue;
    if (++failed <= kShown) {
      std::cout << "no score   " << c.record.hash.substr(0, 8) << " ("
                << nas::star::LayerString(c.record.spec) << "): " << c.facts.quality_failure
                << "\n";
    }
  }
  if (failed > kShown) {
    std::cout << "no score   ... and " << failed - kShown << " more (" << failed
              << " failed evaluations in all)\n";
  }
}

int Status(const std::string& db, bool probe) {
  auto store = nas::results::CampaignStore::Open(db, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status());
  auto snapshot = nas::star::LoadSnapshot(**store);
  if (!snapshot.ok()) return Fail(snapshot.status());
  const auto& s = *snapshot;
  auto candidates = (*store)->CandidateCount();
  auto measurements = (*store)->MeasurementCount();
  std::cout << "campaign   " << db << " (space \"" << s.space.name() << "\", seed "
            << s.space.evolution().seed() << ", quality: "
            << nas::star::QualityEvaluatorName(s.space) << ")\n";
  std::cout << "progress   " << s.generations_done << "/" << s.space.evolution().generations()
            << " generations" << (s.complete ? " (complete)" : "") << ", "
            << candidates.value_or(0) << " candidates, " << measurements.value_or(0)
            << " measurements\n";
  if (s.last_generation) {
    std::cout << "hypervolume " << s.last_generation->hypervolume << " (normalised)\n";
  }
  auto events = (*store)->AgentEvents();
  if (events.ok()) {
    int failures = 0;
    for (const auto& e : *events) {
      if (e.kind == "quarantined") {
        std::cout << "quarantined " << e.agent << " (" << e.device_class << "): " << e.message
                  << "\n";
      } else {
        ++failures;
      }
    }
    std::cout << "failures   " << failures << " agent or evaluator call failure(s) recorded\n";
  }
  PrintFailedEvaluations(s);
  if (probe) {
    auto space_path = (*store)->Config(nas::star::kConfigSpacePath);
    auto agents = nas::star::FleetAgents(
        s.space, space_path.ok() && space_path->has_value() ? **space_path : std::string());
    if (agents.ok()) {
      for (const auto& h : nas::star::ProbeAgents(*agents, std::chrono::seconds(2))) {
        std::cout << "agent      " << h.address.address << " (" << h.address.device_class
                  << "): " << h.detail << "\n";
      }
    }
  }
  std::cout << "\n" << nas::star::FormatFrontTable(s);
  return 0;
}

// `star report`: reads the store read-only (one consistent snapshot, so a running campaign
// is fine) and writes the four files into `out`, or prints the Markdown summary.
int Report(const std::string& db, const std::string& out, const std::string& format,
           const nas::star::ReportOptions& options) {
  auto store = nas::results::CampaignStore::Open(db, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status());
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto started = std::chrono::steady_clock::now();
  auto report = nas::star::BuildReport(**store, db, now, options);
  if (!report.ok()) return Fail(report.status());
  if (format == "md") {
    std::cout << nas::results::ReportMarkdown(*report);
    return 0;
  }
  auto written = nas::results::WriteReportFiles(*report, out);
  if (!written.ok()) return Fail(written.status());
  for (const auto& file : *written) {
    std::cerr << absl::StrFormat("star: wrote %s (%d bytes)\n", file.path, file.bytes);
  }
  std::cerr << absl::StrFormat(
      "star: report of %d candidates (%d on the front) in %.2f s%s\n", report->candidates_size(),
      std::count_if(report->candidates().begin(), report->candidates().end(),
                    [](const auto& c) { return c.on_front(); }),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
      report->warnings_size() > 0 ? absl::StrCat("; ", report->warnings_size(), " warning(s)")
                                  : "");
  for (const std::string& w : report->warnings()) std::cerr << "star: warning: " << w << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "star: hardware-in-the-loop architecture search. Evolves architectures of a search "
      "space (NSGA-II), measures every candidate on the device agents the space names, "
      "scores its quality and keeps everything in one SQLite file per campaign."};
  app.require_subcommand(1);
  std::string space, db;
  std::vector<std::string> reuse_from;
  bool quiet = false, csv = false, no_probe = false;

  auto* run = app.add_subcommand("run", "Start a campaign and run it to the end (Ctrl-C stops it resumably)");
  run->add_option("--space", space, "Search space (text format, see search-spaces/README.md)")
      ->required()->check(CLI::ExistingFile);
  run->add_option("--db", db, "Campaign store to create (SQLite)")->required();
  run->add_option("--reuse-from", reuse_from,
                  "Other campaign stores whose measurements may be reused (same architecture, "
                  "device class and protocol)")->check(CLI::ExistingFile);
  run->add_flag("-q,--quiet", quiet, "No progress line");

  auto* resume = app.add_subcommand("resume", "Continue a stopped or killed campaign exactly where it was");
  resume->add_option("--db", db, "Campaign store")->required()->check(CLI::ExistingFile);
  resume->add_option("--reuse-from", reuse_from, "As for run")->check(CLI::ExistingFile);
  resume->add_flag("-q,--quiet", quiet, "No progress line");

  auto* status = app.add_subcommand("status", "Progress, fleet health and the current front (read-only; works while the campaign runs)");
  status->add_option("--db", db, "Campaign store")->required()->check(CLI::ExistingFile);
  status->add_flag("--no-probe", no_probe, "Do not ask the agents for their health");

  auto* front = app.add_subcommand("front", "The Pareto front of the completed generations, with the references");
  front->add_option("--db", db, "Campaign store")->required()->check(CLI::ExistingFile);
  front->add_flag("--csv", csv, "CSV instead of a table");

  std::string out, format = "html";
  auto* report = app.add_subcommand(
      "report",
      "The campaign report: a self-contained report.html (plots of the Pareto front with the "
      "references, per-device figures, generations; opens offline), report.json, "
      "candidates.csv and front.csv in --out; or, with --format md, a Markdown summary of the "
      "front on stdout. Read-only: works while the campaign runs.");
  report->add_option("--db", db, "Campaign store")->required()->check(CLI::ExistingFile);
  auto* out_option = report->add_option("--out", out,
                                        "Directory for the report's files (created if needed; "
                                        "required unless --format md)");
  report->add_option("--format", format, "html: the four files in --out (default); md: Markdown "
                                         "on stdout")
      ->check(CLI::IsMember({"html", "md"}));
  nas::star::ReportOptions report_options;
  report->add_flag("--all-details", report_options.details_for_all,
                   "Per-layer details and memory against context for every candidate, not only "
                   "the front and the references (a larger report)");

  auto* check = app.add_subcommand("check", "Validate a search space and summarise it");
  check->add_option("--space", space, "Search space")->required()->check(CLI::ExistingFile);

  CLI11_PARSE(app, argc, argv);

  if (*run || *resume) {
    auto campaign = *run ? Campaign::Create(db, space, QualityDeps()) : Campaign::Open(db);
    if (!campaign.ok()) return Fail(campaign.status());
    return RunCampaign(**campaign, reuse_from, quiet, db);
  }
  if (*status) return Status(db, !no_probe);
  if (*report) {
    if (format == "html" && out_option->count() == 0) {
      std::cerr << "star report: --out DIR is required (or --format md for stdout)\n";
      return 2;
    }
    return Report(db, out, format, report_options);
  }
  if (*front) {
    auto store = nas::results::CampaignStore::Open(db, /*read_only=*/true);
    if (!store.ok()) return Fail(store.status());
    auto snapshot = nas::star::LoadSnapshot(**store);
    if (!snapshot.ok()) return Fail(snapshot.status());
    std::cout << (csv ? nas::star::FrontCsv(*snapshot) : nas::star::FormatFrontTable(*snapshot));
    return 0;
  }
  auto loaded = nas::star::LoadSearchSpace(space);
  if (!loaded.ok()) return Fail(absl::InvalidArgumentError(loaded.status().message()));
  auto layout = nas::star::GenomeLayout::Create(*loaded);
  std::cout << space << ": OK — \"" << loaded->name() << "\", " << loaded->depth()
            << " layers of width " << loaded->d_model() << ", "
            << (layout.ok() ? layout->size() : 0) << " genes, "
            << loaded->objectives_size() << " objectives, " << loaded->devices_size()
            << " device classes, " << loaded->references_size() << " references\n";
  const std::string quality = nas::star::QualityEvaluatorName(*loaded);
  if (!quality.empty()) std::cout << "quality: " << quality << "\n";
  // Valid, but can this build (and this machine) run its evaluator?
  if (auto evaluator = nas::star::MakeQualityEvaluator(*loaded, QualityDeps(), space);
      !evaluator.ok()) {
    std::cout << "warning: " << evaluator.status().message() << "\n";
  }
  return 0;
}
