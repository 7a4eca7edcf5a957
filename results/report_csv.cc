#include "results/report_csv.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace nas::results {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvNumber(double value) {
  // Whole numbers (counts, bytes) as integers: "500000", not the shorter "5e+05".
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

namespace {

void AppendRow(const Report& report, const Candidate& c, std::string& out) {
  absl::StrAppend(&out, CsvField(c.hash()), ",", CsvField(c.layers()), ",", CsvField(c.reference()),
                  ",", c.generation(), ",", CsvNumber(c.parameters()), ",", c.feasible() ? 1 : 0,
                  ",", c.on_front() ? 1 : 0, ",", CsvField(c.rejected_reason()), ",",
                  c.has_quality() ? CsvNumber(c.quality()) : "", ",",
                  CsvField(c.quality_failure()));
  for (int k = 0; k < report.objectives_size(); ++k) {
    out += ',';
    if (k < c.objective_values_size() && c.objective_values(k).has_value()) {
      out += CsvNumber(c.objective_values(k).value());
    }
  }
  out += '\n';
}

}  // namespace

std::string CandidatesCsv(const Report& report, CsvRows rows) {
  std::string out =
      "hash,layers,reference,generation,parameters,feasible,on_front,rejected_reason,quality,"
      "quality_failure";
  for (const ObjectiveInfo& o : report.objectives()) absl::StrAppend(&out, ",", CsvField(o.name()));
  out += '\n';
  for (const Candidate& c : report.candidates()) {
    if (rows == CsvRows::kAll || c.on_front()) AppendRow(report, c, out);
  }
  if (rows == CsvRows::kFrontAndReferences) {
    for (const Candidate& c : report.candidates()) {
      if (!c.reference().empty() && !c.on_front()) AppendRow(report, c, out);
    }
  }
  return out;
}

}  // namespace nas::results
