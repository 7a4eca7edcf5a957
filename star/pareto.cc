#include "star/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace nas::star {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Deb's O(M N^2) sort given a domination predicate on indices.
template <typename DominatesFn>
std::vector<std::vector<int>> SortFronts(int n, DominatesFn dominates) {
  std::vector<std::vector<int>> dominated_by(n);  // i -> points i dominates
  std::vector<int> domination_count(n, 0);        // how many points dominate i
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      if (dominates(i, j)) {
        dominated_by[i].push_back(j);
        ++domination_count[j];
      } else if (dominates(j, i)) {
        dominated_by[j].push_back(i);
        ++domination_count[i];
      }
    }
  }
  std::vector<std::vector<int>> fronts;
  std::vector<int> current;
  for (int i = 0; i < n; ++i) {
    if (domination_count[i] == 0) current.push_back(i);
  }
  while (!current.empty()) {
    std::vector<int> next;
    for (int i : current) {
      for (int j : dominated_by[i]) {
        if (--domination_count[j] == 0) next.push_back(j);
      }
    }
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

template <typename ObjectivesFn>
std::vector<double> Crowding(std::span<const int> front, int num_objectives,
                             ObjectivesFn objectives) {
  const size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n <= 2) {
    std::fill(distance.begin(), distance.end(), kInf);
    return distance;
  }
  std::vector<size_t> order(n);  // positions in `front`
  for (int m = 0; m < num_objectives; ++m) {
    for (size_t k = 0; k < n; ++k) order[k] = k;
    auto value = [&](size_t k) { return objectives(front[k])[m]; };
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const double va = value(a), vb = value(b);
      return va != vb ? va < vb : front[a] < front[b];
    });
    const double lo = value(order.front());
    const double hi = value(order.back());
    if (!(hi > lo)) continue;  // constant objective: no information about spacing
    distance[order.front()] = kInf;
    distance[order.back()] = kInf;
    for (size_t k = 1; k + 1 < n; ++k) {
      distance[order[k]] += (value(order[k + 1]) - value(order[k - 1])) / (hi - lo);
    }
  }
  return distance;
}

}  // namespace

absl::Status ValidateEvaluations(std::span<const Evaluation> points) {
  if (points.empty()) return absl::OkStatus();
  const size_t dims = points[0].objectives.size();
  for (size_t i = 0; i < points.size(); ++i) {
    const Evaluation& p = points[i];
    if (p.objectives.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("evaluation ", i, " has no objectives"));
    }
    if (p.objectives.size() != dims) {
      return absl::InvalidArgumentError(absl::StrCat("evaluation ", i, " has ",
                                                     p.objectives.size(), " objectives, ",
                                                     "evaluation 0 has ", dims));
    }
    for (size_t m = 0; m < dims; ++m) {
      if (!std::isfinite(p.objectives[m])) {
        return absl::InvalidArgumentError(absl::StrCat("evaluation ", i, " objective ", m,
                                                       " is not finite (", p.objectives[m],
                                                       "); express failures as violation"));
      }
    }
    if (std::isnan(p.violation) || p.violation < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "evaluation ", i, " has violation ", p.violation, " (must be >= 0; 0 = feasible)"));
    }
  }
  return absl::OkStatus();
}

bool Dominates(std::span<const double> a, std::span<const double> b) {
  bool strictly_better = false;
  for (size_t m = 0; m < a.size(); ++m) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) strictly_better = true;
  }
  return strictly_better;
}

bool ConstrainedDominates(const Evaluation& a, const Evaluation& b) {
  const bool fa = a.feasible(), fb = b.feasible();
  if (fa && fb) return Dominates(a.objectives, b.objectives);
  if (fa != fb) return fa;
  return a.violation < b.violation;
}

std::vector<std::vector<int>> NonDominatedSort(std::span<const Evaluation> points) {
  return SortFronts(static_cast<int>(points.size()), [&](int i, int j) {
    return ConstrainedDominates(points[i], points[j]);
  });
}

std::vector<std::vector<int>> NonDominatedSort(std::span<const std::vector<double>> points) {
  return SortFronts(static_cast<int>(points.size()),
                    [&](int i, int j) { return Dominates(points[i], points[j]); });
}

std::vector<double> CrowdingDistance(std::span<const Evaluation> points,
                                     std::span<const int> front) {
  const int dims = front.empty() ? 0 : static_cast<int>(points[front[0]].objectives.size());
  return Crowding(front, dims,
                  [&](int i) -> const std::vector<double>& { return points[i].objectives; });
}

std::vector<double> CrowdingDistance(std::span<const std::vector<double>> points,
                                     std::span<const int> front) {
  const int dims = front.empty() ? 0 : static_cast<int>(points[front[0]].size());
  return Crowding(front, dims, [&](int i) -> const std::vector<double>& { return points[i]; });
}

std::vector<int> ParetoFront(std::span<const std::vector<double>> points) {
  std::vector<int> front;
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) {
      dominated = j != i && Dominates(points[j], points[i]);
    }
    if (!dominated) front.push_back(static_cast<int>(i));
  }
  return front;
}

std::vector<int> ParetoFront(std::span<const Evaluation> points) {
  std::vector<int> front;
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) {
      dominated = j != i && ConstrainedDominates(points[j], points[i]);
    }
    if (!dominated) front.push_back(static_cast<int>(i));
  }
  return front;
}

}  // namespace nas::star
