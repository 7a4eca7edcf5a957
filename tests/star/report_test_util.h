// Helpers for report tests: a CSV reader (RFC 4180: quoted fields, doubled quotes, commas
// and line breaks inside quotes), the Pareto front recomputed from candidates.csv without
// star's code, and small file helpers.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace nas::star::testing {

std::vector<std::vector<std::string>> ParseCsv(const std::string& text);

// The hashes of the feasible rows of candidates.csv that no other feasible row dominates,
// objectives (the columns after quality_failure) read in their natural direction: those
// named quality... and prefill_tokens_per_s... are maximised, the others minimised; an
// empty cell is the worst value.
std::set<std::string> FrontFromCandidatesCsv(const std::string& csv);

// The hash column of a CSV's rows (header skipped).
std::set<std::string> HashesOfCsv(const std::string& csv);

std::string ReadFile(const std::string& path);

}  // namespace nas::star::testing
