// A campaign snapshot's objectives and candidates as the report (proto/report.proto) shows
// them: each objective's kind, device class, unit and direction; each candidate's layer
// string, reference, generation, parameters, feasibility, place on the front, quality and
// objective values in natural units (absent where there is no value). Shared by the report
// builder and `star front --csv`, so both print the same rows. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "proto/report.pb.h"
#include "star/campaign_snapshot.h"

namespace nas::star {

// One per objective of the space, names as snapshot.objective_names.
std::vector<results::ObjectiveInfo> ReportObjectives(const CampaignSnapshot& snapshot);

// "", "ms", "tokens/s", "bytes" or "parameters".
std::string ObjectiveUnit(Objective::Kind kind);

// The fields of candidate `index` that the snapshot knows (no layer details, no device
// figures).
results::Candidate ReportCandidate(const CampaignSnapshot& snapshot, int index, bool on_front);

// A report with the snapshot's objectives and every candidate (on_front from the
// snapshot's front), nothing else: what the CSV writers need.
results::Report CandidatesReport(const CampaignSnapshot& snapshot);

}  // namespace nas::star
