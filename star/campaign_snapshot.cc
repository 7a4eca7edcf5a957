#include "star/campaign_snapshot.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "star/measure_requests.h"
#include "star/quality_evaluator.h"
#include "star/search_space.h"

namespace nas::star {

absl::StatusOr<SearchSpace> LoadCampaignSpace(results::CampaignStore& store) {
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> text, store.Config(kConfigSpace));
  if (!text) {
    return absl::FailedPreconditionError(
        absl::StrCat(store.path(), ": not a star campaign (no search space recorded)"));
  }
  return ParseSearchSpaceText(*text, absl::StrCat(store.path(), " (recorded space)"));
}

absl::StatusOr<CandidateFacts> LoadCandidateFacts(results::CampaignStore& store,
                                                  const SearchSpace& space,
                                                  const results::CandidateRecord& candidate,
                                                  const std::string& reference) {
  CandidateFacts facts;
  facts.spec = candidate.spec;
  NAS_ASSIGN_OR_RETURN(auto evaluation,
                       store.FindEvaluation(candidate.hash, QualityEvaluatorName(space)));
  if (evaluation && evaluation->failure.empty()) facts.quality = evaluation->quality;
  if (evaluation) facts.quality_failure = evaluation->failure;
  for (const DeviceClass& device : space.devices()) {
    NAS_ASSIGN_OR_RETURN(auto measurement,
                         store.FindMeasurement(candidate.hash, device.name(),
                                               CandidateProtocolKey(space, device, reference)));
    if (measurement) facts.measurements[device.name()] = std::move(measurement->result);
  }
  return facts;
}

absl::StatusOr<CampaignSnapshot> LoadSnapshot(results::CampaignStore& store) {
  CampaignSnapshot snapshot;
  NAS_ASSIGN_OR_RETURN(snapshot.space, LoadCampaignSpace(store));
  const SearchSpace& space = snapshot.space;
  snapshot.objective_names = ObjectiveNames(space);
  // A proxy's scores are labelled as such wherever they are shown.
  for (int k = 0; k < space.objectives_size(); ++k) {
    if (space.objectives(k).kind() == Objective::QUALITY) {
      absl::StrAppend(&snapshot.objective_names[k], "[", QualityEvaluatorName(space), "]");
    }
  }
  NAS_ASSIGN_OR_RETURN(snapshot.last_generation, store.LastGeneration());
  snapshot.generations_done = snapshot.last_generation ? snapshot.last_generation->number : 0;
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> exhausted, store.Config(kConfigExhausted));
  snapshot.complete = exhausted.has_value() ||
                      snapshot.generations_done >= static_cast<int>(space.evolution().generations());

  std::map<std::string, std::string> reference_of;
  for (const Reference& reference : space.references()) {
    NAS_ASSIGN_OR_RETURN(auto hash, store.Config(kConfigReferencePrefix + ReferenceLabel(reference)));
    if (hash) reference_of[*hash] = ReferenceLabel(reference);
  }
  NAS_ASSIGN_OR_RETURN(std::vector<results::CandidateRecord> records, store.Candidates());
  std::vector<Evaluation> feasible;
  std::vector<int> feasible_index;
  for (results::CandidateRecord& record : records) {
    if (record.first_generation > snapshot.generations_done) continue;  // not evaluated yet
    StoredCandidate c;
    if (auto it = reference_of.find(record.hash); it != reference_of.end()) c.reference = it->second;
    NAS_ASSIGN_OR_RETURN(c.facts, LoadCandidateFacts(store, space, record, c.reference));
    NAS_ASSIGN_OR_RETURN(c.evaluation, EvaluateCandidate(space, c.facts));
    c.record = std::move(record);
    if (c.evaluation.feasible()) {
      feasible.push_back(c.evaluation);
      feasible_index.push_back(static_cast<int>(snapshot.candidates.size()));
    }
    snapshot.candidates.push_back(std::move(c));
  }
  if (!feasible.empty()) {
    const std::vector<std::vector<int>> fronts = NonDominatedSort(feasible);
    for (int i : fronts.front()) snapshot.front.push_back(feasible_index[i]);
  }
  return snapshot;
}

}  // namespace nas::star
