// Exact hypervolume of a set of points under minimisation: the measure of the region they
// dominate and that dominates the reference point. Points that do not strictly dominate
// the reference point (any coordinate >= the reference's) contribute nothing. Dimension 2
// is a sweep, 3 the O(n log n) sweep of Beume et al., higher dimensions WFG-style slicing
// (While et al. 2012: sum of exclusive contributions over points sorted by the last
// objective, each computed one dimension down from its limit set) — fast enough for
// ~5 objectives and a few hundred points. Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "star/pareto.h"

namespace nas::star {

// InvalidArgument when a point's dimension differs from the reference's, the reference is
// empty, or any coordinate is not finite.
absl::StatusOr<double> Hypervolume(std::span<const std::vector<double>> points,
                                   std::span<const double> reference);

// The hypervolume of the feasible points only (infeasible ones dominate nothing); the
// evaluations must pass ValidateEvaluations().
absl::StatusOr<double> Hypervolume(std::span<const Evaluation> points,
                                   std::span<const double> reference);

// How much `candidate` would add: Hypervolume(points + candidate) - Hypervolume(points),
// computed as the candidate's own box minus the hypervolume of its limit set.
absl::StatusOr<double> HypervolumeImprovement(std::span<const std::vector<double>> points,
                                              std::span<const double> candidate,
                                              std::span<const double> reference);

}  // namespace nas::star
