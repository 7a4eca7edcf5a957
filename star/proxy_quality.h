// A training-free stand-in for the quality objective, used until the evaluator (which
// trains candidates on the MAD tasks) is wired in. It is NOT a measure of quality: the
// store and the reports label every value it produces as a proxy (evaluator name
// "proxy:capacity-recall"). It scores two things the MAD results make plausible:
//   capacity: log of the non-embedding parameters, relative to the largest the space allows
//   recall:   how far back the model can look: 1 with a full-attention layer, 0.6 with a
//             windowed one, 0.4 with a recurrence, else kernel_size / 64 for convolutions
// proxy = 0.5 * capacity + 0.5 * recall, in [0, 1]. Pure function.
#pragma once

#include <string>

#include "proto/arch_spec.pb.h"

namespace nas::star {

inline constexpr char kProxyEvaluatorName[] = "proxy:capacity-recall";

// `reference_parameters` > 0 sets the scale of the capacity term (e.g. the space's
// maximum parameter budget).
double ProxyQuality(const ArchSpec& spec, double reference_parameters);

}  // namespace nas::star
