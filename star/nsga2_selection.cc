#include "star/nsga2_selection.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace nas::star {

bool CrowdedBetter(const Standing& a, const Standing& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  return a.crowding > b.crowding;
}

absl::StatusOr<Survivors> SelectSurvivors(std::span<const Evaluation> candidates,
                                          int population_size) {
  if (population_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("population_size must be >= 0, got ", population_size));
  }
  if (absl::Status s = ValidateEvaluations(candidates); !s.ok()) return s;
  const size_t target = std::min(candidates.size(), static_cast<size_t>(population_size));
  Survivors out;
  out.indices.reserve(target);
  out.standings.reserve(target);
  const std::vector<std::vector<int>> fronts = NonDominatedSort(candidates);
  for (size_t rank = 0; rank < fronts.size() && out.indices.size() < target; ++rank) {
    const std::vector<int>& front = fronts[rank];
    const std::vector<double> crowding = CrowdingDistance(candidates, front);
    std::vector<size_t> chosen(front.size());  // positions in `front`
    for (size_t k = 0; k < front.size(); ++k) chosen[k] = k;
    const size_t room = target - out.indices.size();
    if (front.size() > room) {
      std::stable_sort(chosen.begin(), chosen.end(),
                       [&](size_t a, size_t b) { return crowding[a] > crowding[b]; });
      chosen.resize(room);
      std::sort(chosen.begin(), chosen.end());  // back to ascending index
    }
    for (size_t k : chosen) {
      out.indices.push_back(front[k]);
      out.standings.push_back({static_cast<int>(rank), crowding[k]});
    }
  }
  return out;
}

int BinaryTournament(std::span<const Standing> standings, Rng& rng) {
  const uint64_t n = standings.size();
  if (n <= 1) return 0;
  const uint64_t a = rng.Below(n);
  uint64_t b = rng.Below(n - 1);
  if (b >= a) ++b;  // uniform over the others
  return static_cast<int>(CrowdedBetter(standings[b], standings[a]) ? b : a);
}

}  // namespace nas::star
