// The warnings of a campaign report: plain sentences about what a reader of the front must
// know — the campaign is still running or stopped early; measurements failed (by outcome);
// agents were quarantined; quality evaluations failed; quality is not an objective, has no
// score yet, or is a proxy; no candidate is feasible; a reference lacks measurements; a
// reference is a checkpoint measured with its own weights.
// Computed from the rest of the report. Pure function; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "proto/report.pb.h"

namespace nas::star {

// `running`: the campaign's last activity is recent enough that it may still be running
// (it is not complete; otherwise it stopped early and `star resume` continues it).
// `failed_by_outcome`: the failed measurements counted by MeasureResult outcome name.
std::vector<std::string> ReportWarnings(const results::Report& report, bool running,
                                        const std::map<std::string, int>& failed_by_outcome);

}  // namespace nas::star
