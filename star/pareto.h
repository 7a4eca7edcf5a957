// Pareto machinery for multi-objective search: objective vectors (every objective is
// minimised; callers negate what they maximise), constraint violation (0 = feasible),
// Deb's constrained domination, the fast non-dominated sort and the crowding distance.
// Results never depend on hash order or sort stability: fronts list indices in ascending
// order and every tie is broken by index, so a seed reproduces a search exactly.
// Functions other than ValidateEvaluations() expect validated input (one dimension,
// finite objectives, violation >= 0); all are pure and thread-safe.
#pragma once

#include <span>
#include <vector>

#include "absl/status/status.h"

namespace nas::star {

// What the search knows of one evaluated candidate.
struct Evaluation {
  std::vector<double> objectives;  // minimised; finite
  // Total constraint violation: 0 when feasible, otherwise how far outside (any positive
  // measure, +infinity allowed, e.g. for a candidate that could not be run at all).
  double violation = 0.0;

  bool feasible() const { return violation <= 0.0; }
  friend bool operator==(const Evaluation&, const Evaluation&) = default;
};

// OK when all evaluations have the same number (>= 1) of finite objectives and a
// non-negative, non-NaN violation; otherwise InvalidArgument naming the first bad index.
absl::Status ValidateEvaluations(std::span<const Evaluation> points);

// Pareto domination for minimisation: a <= b everywhere and a < b somewhere.
bool Dominates(std::span<const double> a, std::span<const double> b);

// Deb's constrained domination: a feasible point beats an infeasible one; of two
// infeasible points the one with the smaller violation wins (equal violations: neither);
// two feasible points compare by Pareto domination.
bool ConstrainedDominates(const Evaluation& a, const Evaluation& b);

// Fast non-dominated sort (Deb et al. 2002) under constrained domination: front 0 holds
// the points nothing dominates, front k those dominated only by points of fronts < k.
// Every index appears in exactly one front; each front is in ascending index order.
// Identical points share a front. O(M N^2) time, O(N^2) memory in the worst case.
std::vector<std::vector<int>> NonDominatedSort(std::span<const Evaluation> points);
// The same for unconstrained objective vectors.
std::vector<std::vector<int>> NonDominatedSort(std::span<const std::vector<double>> points);

// Crowding distance of each member of `front` (indices into `points`), in the order of
// `front`. Per objective the members are ordered by value (ties by index); the first and
// last get +infinity and each other one adds (next - previous) / (max - min). Objectives
// constant over the front add nothing. Fronts of one or two points are all +infinity.
std::vector<double> CrowdingDistance(std::span<const Evaluation> points,
                                     std::span<const int> front);
std::vector<double> CrowdingDistance(std::span<const std::vector<double>> points,
                                     std::span<const int> front);

// Indices (ascending) of the points no other point dominates (duplicates all kept).
std::vector<int> ParetoFront(std::span<const std::vector<double>> points);
// Under constrained domination: the non-dominated feasible points if any point is
// feasible, else the points of least violation.
std::vector<int> ParetoFront(std::span<const Evaluation> points);

}  // namespace nas::star
