#include "star/test_problems.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace nas::star {
namespace {

double Penalty(double g) { return g < 0 ? -g : 0.0; }  // constraint g(x) >= 0

double ZdtG(std::span<const double> x) {
  double sum = 0.0;
  for (size_t i = 1; i < x.size(); ++i) sum += x[i];
  return 1.0 + 9.0 * sum / static_cast<double>(x.size() - 1);
}

absl::StatusOr<RealTestProblem> MakeReal(std::vector<RealBounds> bounds,
                                         RealOperatorOptions options,
                                         RealTestProblem::Function function) {
  absl::StatusOr<RealVariation> variation = RealVariation::Create(std::move(bounds), options);
  if (!variation.ok()) return variation.status();
  return RealTestProblem(*std::move(variation), function);
}

absl::StatusOr<RealTestProblem> MakeZdt(int variables, RealOperatorOptions options,
                                        RealTestProblem::Function function) {
  if (variables < 2) {
    return absl::InvalidArgumentError(absl::StrCat("ZDT needs >= 2 variables, got ", variables));
  }
  return MakeReal(std::vector<RealBounds>(variables, RealBounds{0.0, 1.0}), options, function);
}

double Param(int i, int samples) {
  return samples <= 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(samples - 1);
}

}  // namespace

Evaluation Zdt1(std::span<const double> x) {
  const double g = ZdtG(x);
  return {{x[0], g * (1.0 - std::sqrt(x[0] / g))}, 0.0};
}

Evaluation Zdt2(std::span<const double> x) {
  const double g = ZdtG(x);
  const double r = x[0] / g;
  return {{x[0], g * (1.0 - r * r)}, 0.0};
}

Evaluation BinhKorn(std::span<const double> x) {
  const double a = x[0], b = x[1];
  const double f1 = 4 * a * a + 4 * b * b;
  const double f2 = (a - 5) * (a - 5) + (b - 5) * (b - 5);
  const double g1 = 25 - ((a - 5) * (a - 5) + b * b);          // (x1-5)^2 + x2^2 <= 25
  const double g2 = (a - 8) * (a - 8) + (b + 3) * (b + 3) - 7.7;  // >= 7.7
  return {{f1, f2}, Penalty(g1) + Penalty(g2)};
}

Evaluation OsyczkaKramer(std::span<const double> x) {
  auto sq = [](double v) { return v * v; };
  const double f1 = -(25 * sq(x[0] - 2) + sq(x[1] - 2) + sq(x[2] - 1) + sq(x[3] - 4) +
                      sq(x[4] - 1));
  double f2 = 0.0;
  for (int i = 0; i < 6; ++i) f2 += sq(x[i]);
  const double violation = Penalty(x[0] + x[1] - 2) + Penalty(6 - x[0] - x[1]) +
                           Penalty(2 - x[1] + x[0]) + Penalty(2 - x[0] + 3 * x[1]) +
                           Penalty(4 - sq(x[2] - 3) - x[3]) + Penalty(sq(x[4] - 3) + x[5] - 4);
  return {{f1, f2}, violation};
}

absl::StatusOr<Evaluation> RealTestProblem::Evaluate(const RealGenome& genome) const {
  if (genome.size() != variation_.bounds().size()) {
    return absl::InvalidArgumentError(absl::StrCat("genome has ", genome.size(),
                                                   " variables, the problem ",
                                                   variation_.bounds().size()));
  }
  return function_(genome);
}

absl::StatusOr<RealTestProblem> MakeZdt1(int variables, RealOperatorOptions options) {
  return MakeZdt(variables, options, &Zdt1);
}

absl::StatusOr<RealTestProblem> MakeZdt2(int variables, RealOperatorOptions options) {
  return MakeZdt(variables, options, &Zdt2);
}

absl::StatusOr<RealTestProblem> MakeBinhKorn(RealOperatorOptions options) {
  return MakeReal({{0, 5}, {0, 3}}, options, &BinhKorn);
}

absl::StatusOr<RealTestProblem> MakeOsyczkaKramer(RealOperatorOptions options) {
  return MakeReal({{0, 10}, {0, 10}, {1, 5}, {0, 6}, {1, 5}, {0, 10}}, options, &OsyczkaKramer);
}

std::vector<std::vector<double>> Zdt1Front(int samples) {
  std::vector<std::vector<double>> front;
  for (int i = 0; i < samples; ++i) {
    const double f1 = Param(i, samples);
    front.push_back({f1, 1.0 - std::sqrt(f1)});
  }
  return front;
}

std::vector<std::vector<double>> Zdt2Front(int samples) {
  std::vector<std::vector<double>> front;
  for (int i = 0; i < samples; ++i) {
    const double f1 = Param(i, samples);
    front.push_back({f1, 1.0 - f1 * f1});
  }
  return front;
}

std::vector<std::vector<double>> BinhKornFront(int samples) {
  // Pareto set: x1 = x2 in [0, 3], then x2 = 3 with x1 in [3, 5]; s walks both in [0, 5].
  std::vector<std::vector<double>> front;
  for (int i = 0; i < samples; ++i) {
    const double s = 5.0 * Param(i, samples);
    const double x[2] = {s, std::min(s, 3.0)};
    front.push_back(BinhKorn(x).objectives);
  }
  return front;
}

std::vector<std::vector<double>> OsyczkaKramerFront(int samples_per_segment) {
  // The five Pareto-optimal segments (Deb 2001), all with x4 = x6 = 0.
  std::vector<std::vector<double>> points;
  for (int i = 0; i < samples_per_segment; ++i) {
    const double t = Param(i, samples_per_segment);
    const double x3 = 1 + 4 * t;
    const double x1 = 4.056 + (5 - 4.056) * t;
    const double x3_short = 1 + (std::sqrt(3.0) + 2 - 1) * t;  // up to 3.732
    const double x1_low = t;
    const double segments[5][6] = {
        {5, 1, x3, 0, 5, 0},
        {5, 1, x3, 0, 1, 0},
        {x1, (x1 - 2) / 3, 1, 0, 1, 0},
        {0, 2, x3_short, 0, 1, 0},
        {x1_low, 2 - x1_low, 1, 0, 1, 0},
    };
    for (const auto& x : segments) points.push_back(OsyczkaKramer(x).objectives);
  }
  std::vector<std::vector<double>> front;
  for (int i : ParetoFront(std::span<const std::vector<double>>(points))) {
    front.push_back(points[i]);
  }
  return front;
}

double Zdt1FrontHypervolume(double r1, double r2) {
  // Integral over f1 in [0, 1] of r2 - (1 - sqrt(f1)), plus the strip f1 in [1, r1].
  return (r2 - 1.0) + 2.0 / 3.0 + (r1 - 1.0) * r2;
}

double Zdt2FrontHypervolume(double r1, double r2) {
  return (r2 - 1.0) + 1.0 / 3.0 + (r1 - 1.0) * r2;
}

double BinhKornFrontHypervolume(double r1, double r2) {
  // Segment x1 = x2 = t in [0, 3]: integral of (r2 - 2 (t - 5)^2) d(8 t^2) = 72 r2 - 1368.
  // Segment x2 = 3, x1 in [3, 5]: integral of (r2 - (x - 5)^2 - 4) d(4 x^2 + 36)
  //   = 64 (r2 - 4) - 224 / 3. Beyond f1 = 136 the front's last point (136, 4) covers the rest.
  return (72.0 * r2 - 1368.0) + (64.0 * (r2 - 4.0) - 224.0 / 3.0) + (r1 - 136.0) * (r2 - 4.0);
}

}  // namespace nas::star
