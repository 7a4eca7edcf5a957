#include "results/report_markdown.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "results/report_html.h"

namespace nas::results {

std::string ReadableValue(const ObjectiveInfo& objective, double value) {
  const std::string& unit = objective.unit();
  if (unit == "bytes") return absl::StrFormat("%.1f MiB", value / (1024.0 * 1024.0));
  if (unit == "ms") return absl::StrFormat("%.3g ms", value);
  if (unit == "tokens/s") return absl::StrFormat("%.1f tok/s", value);
  if (unit == "parameters") return absl::StrFormat("%.3fM", value / 1e6);
  return absl::StrFormat("%.4f", value);
}

namespace {

std::string Cell(const std::string& text) { return absl::StrReplaceAll(text, {{"|", "\\|"}}); }

std::string Row(const std::vector<std::string>& cells) {
  std::vector<std::string> escaped;
  for (const std::string& c : cells) escaped.push_back(Cell(c));
  return absl::StrCat("| ", absl::StrJoin(escaped, " | "), " |\n");
}

std::string StatusLine(const Report& report) {
  const Campaign& c = report.campaign();
  std::string line =
      absl::StrCat(c.complete() ? "complete" : "running", ": ", c.generations_done(), " of ",
                   c.generations_planned(), " generations, ", c.candidates_total(), " candidates");
  if (c.candidates_rejected() > 0)
    absl::StrAppend(&line, " (", c.candidates_rejected(), " rejected)");
  absl::StrAppend(&line, ", ", c.measurements_total(), " measurements");
  if (c.measurements_failed() > 0)
    absl::StrAppend(&line, " (", c.measurements_failed(), " failed)");
  const EvaluatorInfo& e = report.evaluator();
  if (!e.name().empty()) {
    absl::StrAppend(&line, "; quality: ", e.name(), e.is_proxy() ? " (a proxy)" : "");
  }
  return line;
}

}  // namespace

std::string ReportMarkdown(const Report& report) {
  std::string out = absl::StrCat("# ", ReportTitle(report), "\n\n");
  absl::StrAppend(&out, StatusLine(report), "  \n", "store: ", report.campaign().db_path(), "\n\n");
  if (report.warnings_size() > 0) {
    absl::StrAppend(&out, "Warnings:\n\n");
    for (const std::string& w : report.warnings()) absl::StrAppend(&out, "- ", w, "\n");
    absl::StrAppend(&out, "\n");
  }
  std::vector<const Candidate*> rows;
  int front = 0;
  for (const Candidate& c : report.candidates()) {
    if (c.on_front()) rows.push_back(&c), ++front;
  }
  for (const Candidate& c : report.candidates()) {
    if (!c.reference().empty() && !c.on_front()) rows.push_back(&c);
  }
  absl::StrAppend(&out, "## Pareto front (", front, front == 1 ? " candidate" : " candidates",
                  ") and references\n\n");
  // Quality gets its own column when it is not an objective but was scored anyway.
  bool quality_column = false;
  for (const Candidate* c : rows) quality_column |= c->has_quality();
  for (const ObjectiveInfo& o : report.objectives()) quality_column &= o.kind() != "QUALITY";
  std::vector<std::string> header = {"front", "layers", "hash", "reference", "parameters"};
  if (quality_column) header.push_back("quality");
  for (const ObjectiveInfo& o : report.objectives()) header.push_back(o.name());
  absl::StrAppend(&out, Row(header));
  absl::StrAppend(&out, "|", absl::StrJoin(std::vector<std::string>(header.size(), "---"), "|"),
                  "|\n");
  for (const Candidate* c : rows) {
    std::vector<std::string> cells = {c->on_front() ? "*" : (c->feasible() ? "" : "infeasible"),
                                      c->layers(), c->hash().substr(0, 8), c->reference(),
                                      absl::StrFormat("%.3fM", c->parameters() / 1e6)};
    if (quality_column) {
      cells.push_back(c->has_quality() ? absl::StrFormat("%.4f", c->quality()) : "n/a");
    }
    for (int k = 0; k < report.objectives_size(); ++k) {
      const bool has = k < c->objective_values_size() && c->objective_values(k).has_value();
      cells.push_back(has ? ReadableValue(report.objectives(k), c->objective_values(k).value())
                          : "n/a");
    }
    absl::StrAppend(&out, Row(cells));
  }
  if (rows.empty()) absl::StrAppend(&out, "\n(no candidate on the front yet, no reference)\n");
  std::vector<std::string> legend;
  for (const LegendEntry& e : report.layer_legend()) {
    legend.push_back(absl::StrCat(e.letter(), " = ", e.meaning()));
  }
  absl::StrAppend(&out, "\n* on the front. Layers: ", absl::StrJoin(legend, ", "), ".\n");
  return out;
}

}  // namespace nas::results
