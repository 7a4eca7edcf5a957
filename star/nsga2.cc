#include "star/nsga2.h"

namespace nas::star {

absl::Status ValidateVariationOptions(const VariationOptions& options) {
  if (!(options.crossover_probability >= 0.0 && options.crossover_probability <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "crossover_probability must be in [0, 1], got ", options.crossover_probability));
  }
  if (options.max_attempts_per_child < 1) {
    return absl::InvalidArgumentError(absl::StrCat("max_attempts_per_child must be >= 1, got ",
                                                   options.max_attempts_per_child));
  }
  return absl::OkStatus();
}

absl::Status ValidateNsga2Options(const Nsga2Options& options) {
  if (options.population_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("population_size must be >= 1, got ", options.population_size));
  }
  if (options.generations < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("generations must be >= 1, got ", options.generations));
  }
  return ValidateVariationOptions(options.variation);
}

}  // namespace nas::star
