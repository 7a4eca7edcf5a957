#include "star/front_table.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "results/report_csv.h"
#include "star/layer_string.h"
#include "star/report_candidates.h"
#include "star/objectives.h"

namespace nas::star {
namespace {

bool Maximised(Objective::Kind kind) {
  return kind == Objective::QUALITY || kind == Objective::PREFILL_TOKENS_PER_S;
}

std::string Short(const Objective& o, double natural) {
  if (natural >= kMissingObjective * 0.5 || natural <= -kMissingObjective * 0.5) return "n/a";
  switch (o.kind()) {
    case Objective::PEAK_MEMORY_BYTES:
    case Objective::CACHE_BYTES:
      return absl::StrFormat("%.1f MiB", natural / (1024.0 * 1024.0));
    case Objective::PARAMETERS:
      return absl::StrFormat("%.3fM", natural / 1e6);
    case Objective::QUALITY:
      return absl::StrFormat("%.4f", natural);
    default:
      return absl::StrFormat("%.4g", natural);
  }
}

// Front members, then references not on the front, each once, in candidate order.
std::vector<int> Rows(const CampaignSnapshot& snapshot) {
  std::vector<int> rows = snapshot.front;
  std::set<int> taken(rows.begin(), rows.end());
  for (int i = 0; i < static_cast<int>(snapshot.candidates.size()); ++i) {
    if (!snapshot.candidates[i].reference.empty() && !taken.contains(i)) rows.push_back(i);
  }
  return rows;
}

}  // namespace

double NaturalObjectiveValue(const Objective& objective, double minimised_value) {
  return Maximised(objective.kind()) ? -minimised_value : minimised_value;
}

std::string FormatFrontTable(const CampaignSnapshot& snapshot) {
  const auto& objectives = snapshot.space.objectives();
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header = {"", "hash", "layers", "params"};
  for (const std::string& name : snapshot.objective_names) header.push_back(name);
  header.push_back("reference");
  table.push_back(header);
  const std::set<int> front(snapshot.front.begin(), snapshot.front.end());
  for (int i : Rows(snapshot)) {
    const StoredCandidate& c = snapshot.candidates[i];
    std::vector<std::string> row = {front.contains(i) ? "*" : (c.evaluation.feasible() ? "" : "x"),
                                    c.record.hash.substr(0, 8), LayerString(c.record.spec),
                                    absl::StrFormat("%.3fM", c.record.parameters / 1e6)};
    for (int k = 0; k < objectives.size(); ++k) {
      const bool no_score =
          objectives[k].kind() == Objective::QUALITY && !c.facts.quality_failure.empty();
      row.push_back(no_score ? "failed" : Short(objectives[k], NaturalObjectiveValue(
                                                                  objectives[k],
                                                                  c.evaluation.objectives[k])));
    }
    row.push_back(c.reference);
    table.push_back(row);
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : table) {
    for (size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
  }
  std::string out;
  for (const auto& row : table) {
    std::string line;
    for (size_t k = 0; k < row.size(); ++k) {
      absl::StrAppend(&line, row[k], std::string(width[k] - row[k].size() + 2, ' '));
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  absl::StrAppend(&out, "* on the front   x infeasible   layers: ", kLayerStringLegend, "\n");
  if (snapshot.front.empty()) absl::StrAppend(&out, "no feasible candidate yet\n");
  return out;
}

std::string FrontCsv(const CampaignSnapshot& snapshot) {
  return results::CandidatesCsv(CandidatesReport(snapshot), results::CsvRows::kFrontAndReferences);
}

}  // namespace nas::star
