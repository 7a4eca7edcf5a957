#include "star/report_candidates.h"

#include <cmath>
#include <set>

#include "star/front_table.h"
#include "star/layer_string.h"
#include "star/objectives.h"

namespace nas::star {

std::string ObjectiveUnit(Objective::Kind kind) {
  switch (kind) {
    case Objective::DECODE_MS_PER_TOKEN:
    case Objective::TIME_TO_FIRST_TOKEN_MS:
      return "ms";
    case Objective::PREFILL_TOKENS_PER_S:
      return "tokens/s";
    case Objective::PEAK_MEMORY_BYTES:
    case Objective::CACHE_BYTES:
      return "bytes";
    case Objective::PARAMETERS:
      return "parameters";
    default:
      return "";
  }
}

std::vector<results::ObjectiveInfo> ReportObjectives(const CampaignSnapshot& snapshot) {
  std::vector<results::ObjectiveInfo> out;
  const auto& objectives = snapshot.space.objectives();
  for (int k = 0; k < objectives.size(); ++k) {
    const Objective& o = objectives[k];
    results::ObjectiveInfo info;
    info.set_name(k < static_cast<int>(snapshot.objective_names.size())
                      ? snapshot.objective_names[k]
                      : Objective::Kind_Name(o.kind()));
    info.set_kind(Objective::Kind_Name(o.kind()));
    info.set_device_class(o.device_class());
    info.set_unit(ObjectiveUnit(o.kind()));
    info.set_maximised(NaturalObjectiveValue(o, 1.0) < 0);
    out.push_back(std::move(info));
  }
  return out;
}

results::Candidate ReportCandidate(const CampaignSnapshot& snapshot, int index, bool on_front) {
  const StoredCandidate& c = snapshot.candidates[index];
  results::Candidate out;
  out.set_hash(c.record.hash);
  out.set_layers(LayerString(c.record.spec));
  out.set_reference(c.reference);
  out.set_generation(c.record.first_generation);
  out.set_parameters(static_cast<double>(c.record.parameters));
  out.set_feasible(c.evaluation.feasible());
  out.set_on_front(on_front);
  out.set_rejected_reason(c.record.rejected_reason);
  if (c.facts.quality) out.set_quality(*c.facts.quality);
  out.set_quality_failure(c.facts.quality_failure);
  const auto& objectives = snapshot.space.objectives();
  for (int k = 0; k < objectives.size(); ++k) {
    results::OptionalValue* value = out.add_objective_values();
    if (k >= static_cast<int>(c.evaluation.objectives.size())) continue;
    const double v = c.evaluation.objectives[k];
    const bool missing = !std::isfinite(v) || std::fabs(v) >= kMissingObjective * 0.5 ||
                         (objectives[k].kind() == Objective::QUALITY && !c.facts.quality);
    if (!missing) value->set_value(NaturalObjectiveValue(objectives[k], v));
  }
  return out;
}

results::Report CandidatesReport(const CampaignSnapshot& snapshot) {
  results::Report report;
  for (results::ObjectiveInfo& o : ReportObjectives(snapshot)) {
    *report.add_objectives() = std::move(o);
  }
  const std::set<int> front(snapshot.front.begin(), snapshot.front.end());
  for (int i = 0; i < static_cast<int>(snapshot.candidates.size()); ++i) {
    *report.add_candidates() = ReportCandidate(snapshot, i, front.contains(i));
  }
  return report;
}

}  // namespace nas::star
