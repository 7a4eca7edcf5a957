// The terminal summary of a report (`star report --format md`), in Markdown: the title, a
// status line (generations done of planned, candidates, measurements, the quality
// evaluator), the warnings, then one table of the Pareto front followed by the references
// not on it — layers, hash, reference, parameters, quality (when it is not an objective but
// was scored), then every objective in readable natural units (MiB, ms, tok/s, M
// parameters; "n/a" where there is no value) — and the legend of the layer letters. Pure
// functions; thread-safe.
#pragma once

#include <string>

#include "proto/report.pb.h"

namespace nas::results {

std::string ReportMarkdown(const Report& report);

// An objective value for people: "12.5 MiB" (bytes), "3.21 ms", "850.3 tok/s",
// "0.412M" (parameters), "0.8312" (quality and unit-less).
std::string ReadableValue(const ObjectiveInfo& objective, double value);

}  // namespace nas::results
