// From what is known of a candidate — its ArchSpec, its measurements per device class, its
// quality — to the Evaluation NSGA-II ranks: one value per objective of the search space
// (all minimised: maximised kinds are negated) and a constraint violation (0 = feasible).
// Cheap constraints (the parameter range) need only the spec and are checked before any
// device time is spent. A candidate that could not be measured on a class (OUT_OF_MEMORY,
// TIMEOUT, CRASHED, INVALID) is infeasible with an infinite violation, and so is one whose
// quality evaluation failed (diverged, failed...) when quality is an objective. Pure
// functions.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/device_agent.pb.h"
#include "proto/search_space.pb.h"
#include "star/pareto.h"

namespace nas::star {

// The value objectives take where a figure is missing (still finite, as NSGA-II needs).
inline constexpr double kMissingObjective = 1e30;

struct CandidateFacts {
  ArchSpec spec;
  std::optional<double> quality;                              // from the evaluator
  std::string quality_failure;  // why the evaluator gave no score ("" when it did or was not asked)
  std::map<std::string, agent::MeasureResult> measurements;  // by device class
};

// "" when the spec is within the space's parameter range, else why not (one line).
std::string CheckCheapConstraints(const SearchSpace& space, const ArchSpec& spec);

// The model's measured peak resident memory: the measurement's peak minus the measuring
// binary's bandwidth-probe buffer (an instrument artefact, the same for every candidate).
uint64_t ModelPeakMemoryBytes(const agent::MeasureResult& result);

// Objective names for tables and reports, e.g. "decode_ms_per_token[laptop,depth=0]".
std::vector<std::string> ObjectiveNames(const SearchSpace& space);

// The evaluation of a candidate. Errors only for a space the loader would have refused.
absl::StatusOr<Evaluation> EvaluateCandidate(const SearchSpace& space,
                                             const CandidateFacts& facts);

}  // namespace nas::star
