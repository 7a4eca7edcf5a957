// The Pareto front of a campaign as people read it: a text table for the terminal and a
// CSV for spreadsheets, one row per front member (and per reference, marked, wherever it
// sits), objectives in their natural direction and units (quality and tokens/s as
// measured, not negated; memory in MiB), the architecture as a layer string
// (layer_string.h) with its parameter count and hash. Pure functions of a snapshot.
#pragma once

#include <string>

#include "star/campaign_snapshot.h"

namespace nas::star {

// Columns: objective names as ObjectiveNames() gives them, in natural units.
std::string FormatFrontTable(const CampaignSnapshot& snapshot);
// The front, then the references not on it, in the columns of the report's CSV files
// (results/report_csv.h): values in the objectives' own units (bytes, ms, tokens/s), full
// precision.
std::string FrontCsv(const CampaignSnapshot& snapshot);

// An objective value in its natural direction (maximised kinds are stored negated).
double NaturalObjectiveValue(const Objective& objective, double minimised_value);

}  // namespace nas::star
