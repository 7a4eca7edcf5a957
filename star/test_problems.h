// Classic multi-objective benchmark problems with known Pareto fronts, used to check the
// NSGA-II engine against published behaviour: ZDT1 and ZDT2 (Zitzler, Deb, Thiele 2000;
// n variables in [0, 1], convex and concave fronts), Binh-Korn (2 variables, 2
// constraints) and Osyczka-Kramer (6 variables, 6 constraints, a front made of five
// constrained segments). Objectives are minimised; the violation is the sum of the
// amounts by which the constraints g(x) >= 0 fail. Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "star/nsga2_problem.h"
#include "star/nsga2_real_operators.h"
#include "star/pareto.h"

namespace nas::star {

// The objective functions; x must have the problem's number of variables (ZDT: >= 2).
Evaluation Zdt1(std::span<const double> x);
Evaluation Zdt2(std::span<const double> x);
Evaluation BinhKorn(std::span<const double> x);
Evaluation OsyczkaKramer(std::span<const double> x);

// A real-coded problem: bounds and operators from a RealVariation, objectives from a
// function.
class RealTestProblem : public Problem<RealGenome> {
 public:
  using Function = Evaluation (*)(std::span<const double>);
  RealTestProblem(RealVariation variation, Function function)
      : variation_(std::move(variation)), function_(function) {}

  RealGenome Random(Rng& rng) const override { return variation_.Random(rng); }
  void Crossover(const RealGenome& a, const RealGenome& b, Rng& rng, RealGenome* child_a,
                 RealGenome* child_b) const override {
    variation_.Crossover(a, b, rng, child_a, child_b);
  }
  void Mutate(RealGenome* genome, Rng& rng) const override { variation_.Mutate(genome, rng); }
  bool Repair(RealGenome* genome) const override { return variation_.Repair(genome); }
  std::string Key(const RealGenome& genome) const override { return variation_.Key(genome); }
  absl::StatusOr<Evaluation> Evaluate(const RealGenome& genome) const override;

  const RealVariation& variation() const { return variation_; }

 private:
  RealVariation variation_;
  Function function_;
};

// InvalidArgument for fewer than 2 ZDT variables or bad operator options.
absl::StatusOr<RealTestProblem> MakeZdt1(int variables = 30, RealOperatorOptions options = {});
absl::StatusOr<RealTestProblem> MakeZdt2(int variables = 30, RealOperatorOptions options = {});
// x1 in [0, 5], x2 in [0, 3].
absl::StatusOr<RealTestProblem> MakeBinhKorn(RealOperatorOptions options = {});
// x1, x2, x6 in [0, 10]; x3, x5 in [1, 5]; x4 in [0, 6].
absl::StatusOr<RealTestProblem> MakeOsyczkaKramer(RealOperatorOptions options = {});

// Points of the true Pareto fronts, evenly spaced in the front's parameter.
std::vector<std::vector<double>> Zdt1Front(int samples);
std::vector<std::vector<double>> Zdt2Front(int samples);
std::vector<std::vector<double>> BinhKornFront(int samples);
// Sampled from the five Pareto-optimal segments, dominated samples removed.
std::vector<std::vector<double>> OsyczkaKramerFront(int samples_per_segment);

// Exact hypervolume of the whole (continuous) true front for a reference point that the
// front's extremes dominate: ZDT needs r1, r2 >= 1; Binh-Korn r1 >= 136, r2 >= 50.
double Zdt1FrontHypervolume(double r1, double r2);
double Zdt2FrontHypervolume(double r1, double r2);
double BinhKornFrontHypervolume(double r1, double r2);

}  // namespace nas::star
