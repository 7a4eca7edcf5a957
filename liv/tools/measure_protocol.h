// The measurement liv-measure runs: for one model, prefill at several prompt lengths and
// decode at several depths, each repeated after warm-ups, with peak memory sampled over
// the whole run, and everything reported as one JSON document (schema "liv-measure/1")
// together with the cost model's predictions and the provenance of the build and CPU.
// Runs on the calling thread (plus the session's pool and the memory sampler).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/runtime/cost_model.h"
#include "nlohmann/json.hpp"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

struct MeasureProtocol {
  std::vector<uint32_t> prompt_lengths = {512};
  std::vector<uint32_t> decode_depths = {0};
  uint32_t decode_tokens = 32;  // decode steps timed per repetition
  int threads = 0;              // 0 = physical cores
  uint32_t warmups = 1;
  uint32_t repetitions = 5;
  uint32_t max_context = 0;     // 0 = just enough for the longest prompt or depth + decode
  uint32_t max_batch = 512;
  uint64_t seed = 0;            // weights and prompt tokens
  WeightType weight_type = WeightType::kF32;
};

// Checks the protocol; errors name the flag ("--repetitions: must be >= 1").
absl::Status ValidateProtocol(const MeasureProtocol& protocol);

// The least context that holds the longest prompt, or the deepest decode and its tokens.
uint32_t MinimumContext(const MeasureProtocol& protocol);

// The context the session will hold: max_context, or MinimumContext when that is 0.
uint32_t RequiredContext(const MeasureProtocol& protocol);

// Progress lines ("prefill 512: repetition 2/5") for a human watching.
using ProgressFn = std::function<void(const std::string&)>;

// `source` names where the spec came from (a preset or a path), for the report.
absl::StatusOr<nlohmann::json> RunMeasurement(const ArchSpec& spec, const std::string& source,
                                              const MeasureProtocol& protocol,
                                              const ProgressFn& progress);

}  // namespace nas::liv
