// A synthetic campaign store for report benchmarks and tests: a real search space (the
// tiny space's genome with two device classes "laptop" and "phone", objectives quality,
// laptop decode ms/token, phone peak memory and phone prefill tokens/s), N distinct random
// candidates plus its two references, simulated measurements with a realistic spread (the
// phone ~3x slower), proxy quality scores, generations with rising hypervolumes and the
// standings NSGA-II would give, and reference drift every other generation from the third
// — written through CampaignStore's Put API with the config keys LoadSnapshot reads. Also
// the problems a report must show: one measurement that TIMEOUT-ed, one failed quality
// evaluation, an agent failure and a quarantined phone agent. Deterministic for a seed
// (timestamps aside).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace nas::star::bench {

struct SyntheticStoreOptions {
  int candidates = 1000;          // searched candidates, references not counted
  int generations_done = 5;       // generations recorded (candidates spread over them)
  int generations_planned = 5;    // the space's evolution.generations
  bool quality_objective = true;  // false: no QUALITY objective and no evaluator
  uint64_t seed = 1;
  int64_t now_unix_ms = 0;  // timestamps end here; 0 = the clock's now
};

// Creates the store at `path` (which must not exist).
absl::Status WriteSyntheticStore(const std::string& path, const SyntheticStoreOptions& options);

}  // namespace nas::star::bench
