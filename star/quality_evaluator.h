// The quality hook of a campaign: something that scores an architecture, higher is better.
// The campaign asks it once per candidate (results are stored and cached by candidate hash
// and evaluator name) and labels every score with the evaluator's name and whether it is a
// proxy. Today the only kind available is PROXY (proxy_quality.h, training-free and
// labelled as such); MAD, CORPUS, SERVICE and COMMAND arrive with the evaluator component
// and are refused with a clear error until then. Implementations must be deterministic
// for a given spec (a resumed campaign recomputes nothing it stored, but a campaign that
// re-evaluates must get the same value).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/search_space.pb.h"

namespace nas::star {

struct QualityScore {
  double quality = 0;        // higher is better
  std::string metrics_json;  // details for the store and reports, a JSON object
};

class QualityEvaluator {
 public:
  virtual ~QualityEvaluator() = default;
  // Stored with every score, e.g. "proxy:capacity-recall".
  virtual std::string name() const = 0;
  // True for stand-ins that do not measure quality (shown as such in reports).
  virtual bool is_proxy() const = 0;
  virtual absl::StatusOr<QualityScore> Evaluate(const ArchSpec& spec) = 0;
};

// The evaluator the space's `evaluator` block asks for. Unimplemented (naming the kind)
// for kinds that are not available yet.
absl::StatusOr<std::unique_ptr<QualityEvaluator>> MakeQualityEvaluator(const SearchSpace& space);

// The name MakeQualityEvaluator(space)'s evaluator reports, without creating it.
std::string QualityEvaluatorName(const SearchSpace& space);

}  // namespace nas::star
