// The measurement liv-measure runs: for one model, prefill at several prompt lengths and
// decode at several depths; each such point runs warm-ups (discarded) and then adaptive
// repetitions (adaptive_repetitions.h) until the 95% interval of its median is within the
// target or a maximum count or time is reached, with a memory-bandwidth probe
// (bandwidth_probe.h) between repetitions to detect a machine that changes under the
// measurement. Peak memory is sampled over the whole run and checked against the cost
// model's prediction (which includes the probe's buffer) and against the bytes that must
// be resident. Everything is reported as one JSON document (schema "liv-measure/1")
// together with every protocol parameter and the provenance of the build and CPU.
// Runs on the calling thread (plus the session's pool, the probe's pool and the memory
// sampler); with pin_cpus, the calling thread is pinned to pin_cpus[0] while it measures.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/runtime/cost_model.h"
#include "liv/tools/bandwidth_probe.h"
#include "liv/tools/measure_model.h"
#include "nlohmann/json.hpp"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

// Bumped whenever the meaning of a reported figure changes (2: adaptive repetitions,
// intervals of the median, noise probes, pinning, memory validity).
inline constexpr int kMeasureProtocolVersion = 2;

struct MeasureProtocol {
  std::vector<uint32_t> prompt_lengths = {512, 4096};
  std::vector<uint32_t> decode_depths = {0, 4096};
  uint32_t decode_tokens = 32;  // decode steps timed per repetition
  int threads = 0;              // 0 = physical cores (or the number of pin_cpus)
  uint32_t warmups = 1;
  uint32_t min_repetitions = 6;
  uint32_t max_repetitions = 30;
  double max_seconds = 60;      // wall time per point; stops after the crossing repetition
  double target_ci = 0.02;      // relative half-width of the 95% interval of the median
  bool noise_probe = true;
  uint64_t noise_probe_bytes = kDefaultProbeBytes;
  std::vector<int> pin_cpus;    // empty = no pinning
  uint64_t memory_cap = 0;      // bytes; 0 = none
  uint32_t max_context = 0;     // 0 = just enough for the longest prompt or depth + decode
  uint32_t max_batch = 512;
  uint64_t seed = 0;            // weights and prompt tokens
  WeightType weight_type = WeightType::kF32;
  KvType kv_type = KvType::kF32;  // element type of the K/V caches
};

// Checks the protocol, including that the pinned CPUs exist here; errors name the flag
// ("--min-repetitions: must be >= 1", "--pin-cpus: CPU 999 is not available ...").
absl::Status ValidateProtocol(const MeasureProtocol& protocol);

// The least context that holds the longest prompt, or the deepest decode and its tokens.
uint32_t MinimumContext(const MeasureProtocol& protocol);

// The context the session will hold: max_context, or MinimumContext when that is 0.
uint32_t RequiredContext(const MeasureProtocol& protocol);

// The threads the session runs: threads, else the number of pin_cpus, else physical cores.
int ResolvedThreads(const MeasureProtocol& protocol);

// Why a measured peak cannot be trusted, or "" when it can: the weights and the probe's
// buffer are written in full and alive together, so a peak below their sum means pages
// were not counted (swapped, compressed, or /proc unreadable).
std::string InvalidMemoryReason(uint64_t peak_bytes, uint64_t weight_bytes,
                                uint64_t probe_bytes);

// Progress lines ("prefill 512: repetition 2 (6 to 30)") for a human watching.
using ProgressFn = std::function<void(const std::string&)>;

// Measures `model` in protocol.weight_type (its weights built by BuildMeasuredModel once
// the cap is checked). The report's model section names the source, the weight type the
// model actually holds, where the weights came from ("random" or "gguf") and, for a file,
// its size. Errors: ResourceExhausted when the predicted peak exceeds memory_cap (before
// anything is allocated; "predicted peak memory N bytes exceeds the memory cap M bytes")
// or when an allocation fails; other codes for other failures.
absl::StatusOr<nlohmann::json> RunMeasurement(const MeasuredModel& model,
                                              const MeasureProtocol& protocol,
                                              const ProgressFn& progress);

}  // namespace nas::liv
