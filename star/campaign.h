// A search campaign: NSGA-II over a search space's architecture genomes, every new
// candidate measured on one agent of each device class (fleet.h) and scored for quality
// (quality_evaluator.h), everything recorded in the campaign's SQLite store as it arrives.
//
// One generation:
//   1. candidates: generation 1 = the references (encoded) + random genomes; later ones =
//      offspring of the population (tournaments on rank and crowding, 2-point crossover,
//      per-gene mutation, repair, deduplication by canonical architecture hash against
//      everything this campaign has seen);
//   2. each new candidate stored; one breaking a cheap constraint (the parameter range) is
//      rejected before any device time is spent (references are measured regardless);
//   3. measurements: reused when the store (or a `reuse_from` store) has one for the same
//      hash, device class and protocol key; the rest go to the fleet with request ids
//      that make a re-sent request idempotent at the agent; due references re-measured to
//      record drift;
//   4. quality from the evaluator (quality_evaluator.h), as many candidates at once as it
//      can take; every score stored as it arrives and reused, failed evaluations too (the
//      candidate is then infeasible when quality is an objective, its reason stored);
//   5. survivor selection on parents + offspring; the generation's population, standings,
//      RNG state and hypervolume stored.
// A generation's record is the commit point. Everything before it (candidates, results)
// is stored as it arrives but recomputed deterministically on resume: after a kill at any
// moment, Open + Run regenerates the same offspring from the last generation's RNG state
// and finds every measurement that had arrived, so nothing is measured twice and the
// campaign ends exactly as an uninterrupted run with the same seed would (given the same
// measurements).
// Run on one thread; Stop() may be called from any thread (e.g. a signal watcher).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/search_space.pb.h"
#include "results/campaign_store.h"
#include "star/fleet.h"
#include "star/quality_evaluator.h"

namespace nas::star {

struct CampaignProgress {
  int generation = 0;        // being worked on (1-based)
  int generations = 0;       // planned
  int jobs_done = 0;         // measurements finished in this generation
  int jobs_total = 0;        // measurements needed in this generation
  int new_candidates = 0;    // this generation
  int reused = 0;            // measurements found in a store, this generation
  int rejected = 0;          // by a cheap constraint, this generation
  int failed = 0;            // jobs no agent could measure, this generation
  int agents = 0;            // in the fleet
  int agents_quarantined = 0;
  // Quality evaluations of this generation by a trained evaluator (0 for the proxy).
  int evaluations_done = 0;
  int evaluations_total = 0;
  int evaluations_failed = 0;  // done, but without a score (diverged, failed...)
  double elapsed_seconds = 0;  // since Run started
  double eta_seconds = -1;     // to the end of the campaign; < 0 when unknown
  std::string message;         // the latest notable event, one line ("" when none)
};

struct CampaignRunOptions {
  FleetOptions fleet;
  // The in-process trainer (MAD, CORPUS) and the SERVICE dispatch rules.
  QualityEvaluatorDeps quality;
  // Other campaign stores whose measurements may be reused (same hash, class, protocol).
  std::vector<std::string> reuse_from;
  // Called (on any thread, one call at a time) whenever progress changes.
  std::function<void(const CampaignProgress&)> on_progress;
};

class Campaign {
 public:
  // A new campaign on the space in `space_path` (loaded and checked), stored in a new
  // file `db_path` (AlreadyExists if the file exists: resume it instead). Refuses, before
  // creating anything, an evaluator that `quality` cannot provide (e.g. MAD in a build
  // without the in-process trainer): pass what Run will get.
  static absl::StatusOr<std::unique_ptr<Campaign>> Create(
      const std::string& db_path, const std::string& space_path,
      const QualityEvaluatorDeps& quality = {});
  // An existing campaign, to resume or inspect.
  static absl::StatusOr<std::unique_ptr<Campaign>> Open(const std::string& db_path);
  ~Campaign();

  // Runs the remaining generations. OK when the campaign is complete (at once if it
  // already was); Cancelled after Stop() (resumable); Unavailable when a device class has
  // no agent left that can measure (resumable once agents are back); other errors for a
  // broken store or space.
  absl::Status Run(const CampaignRunOptions& options);

  // Ends Run() soon: no new measurement is started; those in flight finish on the agents
  // (and are answered from their memory on resume). Thread-safe, idempotent.
  void Stop();

  const SearchSpace& space() const { return space_; }
  results::CampaignStore& store() { return *store_; }

 private:
  Campaign(std::unique_ptr<results::CampaignStore> store, SearchSpace space,
           std::string space_path);
  class Runner;

  std::unique_ptr<results::CampaignStore> store_;
  SearchSpace space_;
  std::string space_path_;
  std::atomic<bool> stop_{false};
  std::mutex fleet_mutex_;
  Fleet* fleet_ = nullptr;  // of the running Run, for Stop()
};

}  // namespace nas::star
