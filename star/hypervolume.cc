#include "star/hypervolume.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace nas::star {
namespace {

// A set of n points of dimension d stored row-major; every point strictly dominates the
// reference point (the callers filter first). Dominated points are allowed: the sweeps of
// dimensions 2 and 3 skip them as they go, and the slicing above filters them out first
// (its recursion is exponential in what it keeps).
struct PointSet {
  int d = 0;
  std::vector<double> v;
  size_t size() const { return d == 0 ? 0 : v.size() / d; }
  const double* at(size_t i) const { return v.data() + i * d; }
};

// Keeps the points no other point weakly dominates (one copy of duplicates).
PointSet NonDominated(const PointSet& in) {
  const size_t n = in.size();
  const int d = in.d;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Lexicographic order: a weak dominator of p always sorts before p or equals it.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::lexicographical_compare(in.at(a), in.at(a) + d, in.at(b), in.at(b) + d);
  });
  PointSet out{d, {}};
  std::vector<const double*> kept;
  for (size_t idx : order) {
    const double* p = in.at(idx);
    bool dominated = false;
    for (const double* q : kept) {
      bool weakly = true;
      for (int m = 0; m < d && weakly; ++m) weakly = q[m] <= p[m];
      if (weakly) {
        dominated = true;
        break;
      }
    }
    if (!dominated) kept.push_back(p);
  }
  for (const double* p : kept) out.v.insert(out.v.end(), p, p + d);
  return out;
}

double Hv2(const PointSet& s, const double* ref) {
  std::vector<std::pair<double, double>> pts;
  pts.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) pts.emplace_back(s.at(i)[0], s.at(i)[1]);
  std::sort(pts.begin(), pts.end());
  double volume = 0.0, floor_y = ref[1];
  for (const auto& [x, y] : pts) {
    if (y < floor_y) {
      volume += (ref[0] - x) * (floor_y - y);
      floor_y = y;
    }
  }
  return volume;
}

// Inserts (px, py) into the staircase unless a point there already weakly dominates it,
// removing the points it dominates and adding its exclusive area to *area.
void InsertIntoStairs(double px, double py, const double* ref, std::map<double, double>* stairs,
                      double* area) {
  auto it = stairs->upper_bound(px);
  double height = ref[1];  // the staircase's height at px before insertion
  if (it != stairs->begin()) {
    auto prev = std::prev(it);
    if (prev->second <= py) return;
    height = prev->second;
    if (prev->first == px) stairs->erase(prev);
  }
  double x = px;
  while (it != stairs->end() && it->second >= py) {  // points p dominates in (x, y)
    *area += (it->first - x) * (height - py);
    x = it->first;
    height = it->second;
    it = stairs->erase(it);
  }
  const double x_end = it == stairs->end() ? ref[0] : it->first;
  *area += (x_end - x) * (height - py);
  stairs->emplace(px, py);
}

// Sweep over z; the (x, y) staircase of the points seen so far lives in a map from x to y
// (y decreasing as x grows) and its dominated area is updated on each insertion.
double Hv3(const PointSet& s, const double* ref) {
  std::vector<size_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) {
              return s.at(a)[2] != s.at(b)[2] ? s.at(a)[2] < s.at(b)[2] : a < b;
            });
  std::map<double, double> stairs;
  double area = 0.0, volume = 0.0;
  for (size_t k = 0; k < order.size(); ++k) {
    const double* p = s.at(order[k]);
    InsertIntoStairs(p[0], p[1], ref, &stairs, &area);
    const double z_next = k + 1 < order.size() ? s.at(order[k + 1])[2] : ref[2];
    volume += area * (z_next - p[2]);
  }
  return volume;
}

double Hv(const PointSet& s, const double* ref) {
  const size_t n = s.size();
  if (n == 0) return 0.0;
  const int d = s.d;
  if (d == 1) {
    double lo = ref[0];
    for (size_t i = 0; i < n; ++i) lo = std::min(lo, s.at(i)[0]);
    return ref[0] - lo;
  }
  if (d == 2) return Hv2(s, ref);
  if (d == 3) return Hv3(s, ref);
  // Points in decreasing order of the last objective: the limit set of point k (its
  // boxes' intersections with later points) then shares k's last coordinate, so k's
  // exclusive contribution is (ref - p_k) in the last objective times a (d-1)-dimensional
  // exclusive hypervolume.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return s.at(a)[d - 1] != s.at(b)[d - 1] ? s.at(a)[d - 1] > s.at(b)[d - 1] : a < b;
  });
  double volume = 0.0;
  PointSet limit{d - 1, {}};
  for (size_t k = 0; k < n; ++k) {
    const double* p = s.at(order[k]);
    double own = 1.0;
    for (int m = 0; m < d - 1; ++m) own *= ref[m] - p[m];
    limit.v.clear();
    for (size_t j = k + 1; j < n; ++j) {
      const double* q = s.at(order[j]);
      for (int m = 0; m < d - 1; ++m) limit.v.push_back(std::max(p[m], q[m]));
    }
    const double covered = Hv(d - 1 <= 3 ? limit : NonDominated(limit), ref);
    volume += (ref[d - 1] - p[d - 1]) * (own - covered);
  }
  return volume;
}

absl::Status CheckPoint(std::span<const double> point, size_t dims, const char* what,
                        size_t index) {
  if (point.size() != dims) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", index, " has ", point.size(),
                                                   " coordinates, the reference has ", dims));
  }
  for (size_t m = 0; m < dims; ++m) {
    if (!std::isfinite(point[m])) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " ", index, " coordinate ", m, " is not finite"));
    }
  }
  return absl::OkStatus();
}

// Validates and keeps the points strictly inside the reference box.
absl::StatusOr<PointSet> Prepare(std::span<const std::vector<double>> points,
                                 std::span<const double> reference) {
  if (reference.empty()) return absl::InvalidArgumentError("empty reference point");
  if (absl::Status s = CheckPoint(reference, reference.size(), "reference", 0); !s.ok()) {
    return s;
  }
  PointSet set{static_cast<int>(reference.size()), {}};
  for (size_t i = 0; i < points.size(); ++i) {
    if (absl::Status s = CheckPoint(points[i], reference.size(), "point", i); !s.ok()) return s;
    bool inside = true;
    for (size_t m = 0; m < reference.size() && inside; ++m) inside = points[i][m] < reference[m];
    if (inside) set.v.insert(set.v.end(), points[i].begin(), points[i].end());
  }
  return set.d <= 3 ? set : NonDominated(set);
}

}  // namespace

absl::StatusOr<double> Hypervolume(std::span<const std::vector<double>> points,
                                   std::span<const double> reference) {
  absl::StatusOr<PointSet> set = Prepare(points, reference);
  if (!set.ok()) return set.status();
  return Hv(*set, reference.data());
}

absl::StatusOr<double> Hypervolume(std::span<const Evaluation> points,
                                   std::span<const double> reference) {
  if (absl::Status s = ValidateEvaluations(points); !s.ok()) return s;
  std::vector<std::vector<double>> feasible;
  for (const Evaluation& e : points) {
    if (e.feasible()) feasible.push_back(e.objectives);
  }
  return Hypervolume(feasible, reference);
}

absl::StatusOr<double> HypervolumeImprovement(std::span<const std::vector<double>> points,
                                              std::span<const double> candidate,
                                              std::span<const double> reference) {
  if (reference.empty()) return absl::InvalidArgumentError("empty reference point");
  if (absl::Status s = CheckPoint(candidate, reference.size(), "candidate", 0); !s.ok()) {
    return s;
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (absl::Status s = CheckPoint(points[i], reference.size(), "point", i); !s.ok()) {
      return s;
    }
  }
  double own = 1.0;
  for (size_t m = 0; m < reference.size(); ++m) {
    own *= std::max(0.0, reference[m] - candidate[m]);
  }
  if (own == 0.0) return 0.0;
  std::vector<std::vector<double>> limit(points.size(), std::vector<double>(candidate.size()));
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t m = 0; m < candidate.size(); ++m) {
      limit[i][m] = std::max(points[i][m], candidate[m]);
    }
  }
  absl::StatusOr<double> covered = Hypervolume(limit, reference);
  if (!covered.ok()) return covered.status();
  return std::max(0.0, own - *covered);
}

}  // namespace nas::star
