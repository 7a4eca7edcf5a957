// Reading a campaign back from its store: the search space it was started with (stored in
// the campaign's config, so a resume never depends on the file still being there or
// unchanged), every candidate with what is known of it and its evaluation, and the Pareto
// front over the completed generations. Used by `star resume`, `star status`,
// `star front` and the reports; works on a read-only store while the campaign runs (each
// query sees committed records only). Also the names of the config keys the campaign
// writes. Not thread-safe (as the store).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/search_space.pb.h"
#include "results/campaign_store.h"
#include "star/objectives.h"
#include "star/pareto.h"

namespace nas::star {

// Config keys of a campaign store.
inline constexpr char kConfigSpace[] = "space";            // the SearchSpace, text format
inline constexpr char kConfigSpacePath[] = "space_path";   // where it was read from
inline constexpr char kConfigCreated[] = "created_unix_ms";
inline constexpr char kConfigExhausted[] = "exhausted_at_generation";  // no new candidate
inline constexpr char kConfigHypervolumeBounds[] = "hypervolume_bounds";
inline constexpr char kConfigReferencePrefix[] = "reference:";  // + name -> candidate hash

absl::StatusOr<SearchSpace> LoadCampaignSpace(results::CampaignStore& store);

// The candidate's spec, quality (from the space's evaluator) and measurements per device
// class under its CandidateProtocolKey (reference re-measurements aside); `reference` is its
// reference label, "" for a searched candidate.
absl::StatusOr<CandidateFacts> LoadCandidateFacts(results::CampaignStore& store,
                                                  const SearchSpace& space,
                                                  const results::CandidateRecord& candidate,
                                                  const std::string& reference);

struct StoredCandidate {
  results::CandidateRecord record;
  CandidateFacts facts;
  Evaluation evaluation;
  std::string reference;  // the reference's name when it is one
};

struct CampaignSnapshot {
  SearchSpace space;
  std::vector<std::string> objective_names;
  int generations_done = 0;   // completed generations
  bool complete = false;      // all generations done, or the space exhausted
  std::optional<results::GenerationRecord> last_generation;
  // Candidates of the completed generations, in the order they were created.
  std::vector<StoredCandidate> candidates;
  // Indices into `candidates` of the feasible ones no other feasible one dominates.
  std::vector<int> front;
};

absl::StatusOr<CampaignSnapshot> LoadSnapshot(results::CampaignStore& store);

}  // namespace nas::star
