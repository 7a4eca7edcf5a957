#include "star/report_warnings.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::star {
namespace {

std::string Plural(int n, const std::string& one, const std::string& many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

}  // namespace

std::vector<std::string> ReportWarnings(const results::Report& report, bool running,
                                        const std::map<std::string, int>& failed_by_outcome) {
  std::vector<std::string> out;
  const results::Campaign& c = report.campaign();
  if (!c.complete()) {
    out.push_back(absl::StrCat(
        running ? "The campaign is still running: " : "The campaign stopped early: ",
        c.generations_done(), " of ", c.generations_planned(),
        " generations are done; the front may still change",
        running ? "." : absl::StrCat(" (continue it with `star resume --db ", c.db_path(), "`).")));
  }
  if (c.measurements_failed() > 0) {
    std::vector<std::string> parts;
    for (const auto& [outcome, n] : failed_by_outcome)
      parts.push_back(absl::StrCat(n, " ", outcome));
    out.push_back(absl::StrCat(Plural(c.measurements_failed(), "measurement", "measurements"),
                               " failed (", absl::StrJoin(parts, ", "),
                               "); a candidate without a successful measurement on every "
                               "device class is infeasible."));
  }
  std::vector<std::string> quarantined;
  for (const results::DeviceInfo& device : report.devices()) {
    for (const results::AgentInfo& agent : device.agents()) {
      if (agent.quarantined()) {
        quarantined.push_back(absl::StrCat(agent.address(), " (", device.device_class(), ")"));
      }
    }
  }
  if (!quarantined.empty()) {
    out.push_back(absl::StrCat(
        quarantined.size() == 1 ? "Agent " : "Agents ", absl::StrJoin(quarantined, ", "),
        quarantined.size() == 1 ? " was" : " were", " quarantined after repeated failures."));
  }
  const results::EvaluatorInfo& e = report.evaluator();
  if (e.failed() > 0) {
    out.push_back(absl::StrCat(Plural(e.failed(), "quality evaluation", "quality evaluations"),
                               " failed (no score; see each candidate's quality_failure)."));
  }
  for (const results::Candidate& c : report.candidates()) {
    if (c.checkpoint().empty()) continue;
    out.push_back(absl::StrCat(
        "Reference ", c.reference(), " is the checkpoint ", c.checkpoint(), ", measured with its own ",
        c.weight_type().empty() ? "" : c.weight_type() + " ", "weights; the searched candidates have random ",
        report.campaign().weight_type(), " weights (speed and memory depend on the type, not the values)."));
  }
  if (!e.quality_is_objective()) {
    out.push_back("Quality is not an objective: the front trades only speed, memory and size.");
  } else if (e.scored() == 0) {
    out.push_back("No candidate has a quality score yet.");
  } else if (e.is_proxy()) {
    out.push_back(absl::StrCat("Quality is a proxy (", e.name(),
                               "), not a trained score: read it as a rough ranking."));
  }
  int feasible = 0, on_front = 0;
  for (const results::Candidate& candidate : report.candidates()) {
    feasible += candidate.feasible() ? 1 : 0;
    on_front += candidate.on_front() ? 1 : 0;
  }
  if (report.candidates_size() > 0 && feasible == 0) {
    out.push_back("No candidate is feasible: the front is empty.");
  } else if (on_front == 0) {
    out.push_back("The front is empty: no completed generation has a feasible candidate yet.");
  }
  for (const results::Candidate& candidate : report.candidates()) {
    if (candidate.reference().empty()) continue;
    std::vector<std::string> missing;
    for (const results::DeviceInfo& device : report.devices()) {
      bool measured = false;
      for (const results::DeviceFigures& d : candidate.devices()) {
        measured |= d.device_class() == device.device_class() && d.outcome() == "OK";
      }
      if (!measured) missing.push_back(device.device_class());
    }
    if (!missing.empty()) {
      out.push_back(absl::StrCat("Reference ", candidate.reference(), " has no measurement on ",
                                 absl::StrJoin(missing, ", "), "."));
    }
  }
  return out;
}

}  // namespace nas::star
