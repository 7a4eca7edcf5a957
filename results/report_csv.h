// candidates.csv and front.csv of a report: one row per candidate with the columns
//   hash,layers,reference,generation,parameters,feasible,on_front,rejected_reason,quality,
//   quality_failure,<one column per Report.objectives name>
// objectives in their natural direction and units (as Candidate.objective_values), numbers
// at full precision (shortest text that reads back to the same double; whole numbers as
// integers), an empty cell
// where a value is absent, booleans as 1/0, fields quoted as RFC 4180 says (a comma, quote
// or line break in a field: the field in double quotes, quotes doubled), lines ending in
// "\n". Pure functions; thread-safe.
#pragma once

#include <string>

#include "proto/report.pb.h"

namespace nas::results {

enum class CsvRows {
  kAll,                 // candidates.csv
  kFront,               // front.csv: on_front rows only
  kFrontAndReferences,  // `star front --csv`: the front, then references not on it
};

std::string CandidatesCsv(const Report& report, CsvRows rows);

// One CSV field, quoted when it must be.
std::string CsvField(const std::string& text);
// A double as the shortest text that reads back to the same value ("0.1", "1e+30"), a
// whole number below 1e15 as an integer ("500000").
std::string CsvNumber(double value);

}  // namespace nas::results
