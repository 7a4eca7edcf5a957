#include "star/nsga2_real_operators.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace nas::star {
namespace {

constexpr double kSbxEpsilon = 1e-14;  // parents closer than this are copied

// SBX spread factor for a parent gap bounded by `beta` (the distance to the bound).
double BetaQ(double u, double beta, double eta) {
  const double alpha = 2.0 - std::pow(beta, -(eta + 1.0));
  if (u <= 1.0 / alpha) return std::pow(u * alpha, 1.0 / (eta + 1.0));
  return std::pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
}

}  // namespace

RealGenome RandomRealGenome(std::span<const RealBounds> bounds, Rng& rng) {
  RealGenome genome(bounds.size());
  for (size_t i = 0; i < bounds.size(); ++i) {
    genome[i] = rng.UniformDouble(bounds[i].lower, bounds[i].upper);
  }
  return genome;
}

void SbxCrossover(std::span<const RealBounds> bounds, double eta, double per_variable,
                  std::span<const double> a, std::span<const double> b, Rng& rng,
                  RealGenome* child_a, RealGenome* child_b) {
  child_a->assign(a.begin(), a.end());
  child_b->assign(b.begin(), b.end());
  if (a.size() != b.size() || a.size() != bounds.size()) return;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!rng.Bernoulli(per_variable)) continue;
    if (std::fabs(a[i] - b[i]) <= kSbxEpsilon) continue;
    const double y1 = std::min(a[i], b[i]), y2 = std::max(a[i], b[i]);
    const double lo = bounds[i].lower, hi = bounds[i].upper;
    const double u = rng.UniformDouble();
    const double gap = y2 - y1;
    double c1 = 0.5 * ((y1 + y2) - BetaQ(u, 1.0 + 2.0 * (y1 - lo) / gap, eta) * gap);
    double c2 = 0.5 * ((y1 + y2) + BetaQ(u, 1.0 + 2.0 * (hi - y2) / gap, eta) * gap);
    c1 = std::clamp(c1, lo, hi);
    c2 = std::clamp(c2, lo, hi);
    if (rng.Bernoulli(0.5)) std::swap(c1, c2);
    (*child_a)[i] = c1;
    (*child_b)[i] = c2;
  }
}

void PolynomialMutation(std::span<const RealBounds> bounds, double eta, double probability,
                        Rng& rng, RealGenome* genome) {
  const size_t n = std::min(bounds.size(), genome->size());
  const double power = 1.0 / (eta + 1.0);
  for (size_t i = 0; i < n; ++i) {
    if (!rng.Bernoulli(probability)) continue;
    const double lo = bounds[i].lower, hi = bounds[i].upper;
    double& y = (*genome)[i];
    const double width = hi - lo;
    const double delta1 = (y - lo) / width, delta2 = (hi - y) / width;
    const double u = rng.UniformDouble();
    double deltaq;
    if (u < 0.5) {
      const double val =
          2.0 * u + (1.0 - 2.0 * u) * std::pow(1.0 - delta1, eta + 1.0);
      deltaq = std::pow(val, power) - 1.0;
    } else {
      const double val =
          2.0 * (1.0 - u) + 2.0 * (u - 0.5) * std::pow(1.0 - delta2, eta + 1.0);
      deltaq = 1.0 - std::pow(val, power);
    }
    y = std::clamp(y + deltaq * width, lo, hi);
  }
}

std::string RealGenomeKey(std::span<const double> genome) {
  std::string key(genome.size() * sizeof(double), '\0');
  if (!genome.empty()) std::memcpy(key.data(), genome.data(), key.size());
  return key;
}

absl::StatusOr<RealVariation> RealVariation::Create(std::vector<RealBounds> bounds,
                                                    RealOperatorOptions options) {
  if (bounds.empty()) return absl::InvalidArgumentError("the genome has no variables");
  for (size_t i = 0; i < bounds.size(); ++i) {
    const RealBounds& b = bounds[i];
    if (!std::isfinite(b.lower) || !std::isfinite(b.upper) || !(b.lower < b.upper)) {
      return absl::InvalidArgumentError(absl::StrCat("variable ", i, " has bounds [", b.lower,
                                                     ", ", b.upper, "]"));
    }
  }
  if (!(options.crossover_eta >= 0) || !(options.mutation_eta >= 0)) {
    return absl::InvalidArgumentError("distribution indices must be >= 0");
  }
  if (!(options.crossover_per_variable >= 0 && options.crossover_per_variable <= 1)) {
    return absl::InvalidArgumentError("crossover_per_variable must be in [0, 1]");
  }
  if (std::isnan(options.mutation_probability) || options.mutation_probability > 1) {
    return absl::InvalidArgumentError("mutation_probability must be <= 1 (< 0: 1/n)");
  }
  if (options.mutation_probability < 0) {
    options.mutation_probability = 1.0 / static_cast<double>(bounds.size());
  }
  return RealVariation(std::move(bounds), options);
}

RealGenome RealVariation::Random(Rng& rng) const { return RandomRealGenome(bounds_, rng); }

void RealVariation::Crossover(const RealGenome& a, const RealGenome& b, Rng& rng,
                              RealGenome* child_a, RealGenome* child_b) const {
  SbxCrossover(bounds_, options_.crossover_eta, options_.crossover_per_variable, a, b, rng,
               child_a, child_b);
}

void RealVariation::Mutate(RealGenome* genome, Rng& rng) const {
  PolynomialMutation(bounds_, options_.mutation_eta, options_.mutation_probability, rng, genome);
}

bool RealVariation::Repair(RealGenome* genome) const {
  const size_t had = genome->size();
  genome->resize(bounds_.size());
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (i >= had || std::isnan((*genome)[i])) (*genome)[i] = bounds_[i].lower;
    (*genome)[i] = std::clamp((*genome)[i], bounds_[i].lower, bounds_[i].upper);
  }
  return true;
}

std::string RealVariation::Key(const RealGenome& genome) const { return RealGenomeKey(genome); }

}  // namespace nas::star
