// The measuring step of a campaign generation (campaign.h): which measurements the new
// candidates need on each device class, which of them a store already holds (this
// campaign's or another's, same hash, class and protocol key), the rest sent to the fleet
// with idempotent request ids, results committed to the store as they arrive, due
// reference re-measurements and their drift, agent failures and quarantines recorded. A
// reference read from a GGUF file is measured as that file (gguf_reference.h), under its
// own key (CandidateProtocolKey), so it is reused only from a measurement of the same file.
// Also the fleet's agents as the space names them (with their tokens).
// Used by one campaign thread; fleet callbacks write to the store under a lock.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/search_space.pb.h"
#include "star/gguf_reference.h"
#include "results/campaign_store.h"
#include "star/campaign.h"
#include "star/fleet.h"
#include "star/nsga2_int_operators.h"

namespace nas::star {

// A candidate created in this generation.
struct NewCandidate {
  IntGenome genome;
  std::string hash;
  ArchSpec spec;
  std::string rejected_reason;  // by a cheap constraint; "" when admitted
  std::string reference;        // the reference's name when it is one
};

// Every agent of every device class, with the class's token read from its token_file
// (relative to the space file). Errors name the unreadable token file.
absl::StatusOr<std::vector<AgentAddress>> FleetAgents(const SearchSpace& space,
                                                      const std::string& space_path);

class MeasurePhase {
 public:
  MeasurePhase(results::CampaignStore& store, const SearchSpace& space, Fleet& fleet,
               const CampaignRunOptions& options, const std::atomic<bool>& stop);
  ~MeasurePhase();

  // Measures what generation `generation` needs (references are measured even when a
  // cheap constraint rejects them; drift re-measurements are due every
  // evolution.reference_remeasure_every generations after the first). Fills `progress`
  // and reports it through options.on_progress as results arrive. The ETA is the time of
  // the measurements left, those of `later_candidates` (an estimate of the candidates of
  // the remaining generations) included, plus `seconds_after` (the quality evaluations
  // still to come; < 0 when unknown, which makes the ETA unknown).
  // Cancelled when stopped, Unavailable when some measurement found no agent.
  absl::Status Run(int generation, const std::vector<NewCandidate>& news,
                   const std::map<std::string, std::string>& reference_hashes,
                   std::chrono::steady_clock::time_point started, int later_candidates,
                   double seconds_after, CampaignProgress* progress);

  // Seconds to measure `candidates` more candidates like the last generation's (the
  // slowest device class at its pace, over its live agents); -1 when a class that would
  // have work has not finished a measurement yet.
  double SecondsFor(int candidates) const;

 private:
  struct Job {
    std::string hash, device_class, protocol_key, reference;
    int drift_generation = 0;
  };
  absl::StatusOr<bool> Reuse(const std::string& hash, const std::string& device_class,
                             const std::string& protocol_key, int generation);
  absl::Status RecordDrift(const Job& job, const agent::MeasureResult& result);
  // Seconds for `left` jobs per device class (see SecondsFor).
  double Seconds(const std::map<std::string, double>& left) const;

  results::CampaignStore& store_;
  const SearchSpace& space_;
  Fleet& fleet_;
  const CampaignRunOptions& options_;
  const std::atomic<bool>& stop_;
  std::vector<std::unique_ptr<results::CampaignStore>> reuse_stores_;
  bool reuse_stores_opened_ = false;
  std::map<std::string, GgufReferenceModel> gguf_models_;  // checkpoint references, by label
  // Per device class, over all generations of this Run, for the ETA: the classes measure
  // in parallel, so the slowest class (per-job time / its agents) sets the pace.
  struct ClassTiming {
    int jobs = 0;
    double seconds = 0;  // summed wall time of the agents' calls
  };
  std::map<std::string, ClassTiming> timing_;
  // Per device class: the share of the last generation's candidates it had to measure.
  std::map<std::string, double> share_;
};

}  // namespace nas::star
