// Checks a MeasureRequest before it is queued, against the agent's limits, and fills the
// protocol's defaults. Every error names the field; they are InvalidArgument, e.g.
// "protocol.prompt_lengths[1]: 0 is not in [1, 32768]" or "spec.layers[2].attention.
// num_kv_heads: 3 does not divide num_heads (16)", except for a `gguf` model: no models dir
// is FailedPrecondition, a file that is not there NotFound. A gguf model's header is read
// (its tensors checked, no weights) so that its spec meets the same limits as any other.
// Pure functions apart from reading that header; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/device_agent.pb.h"

namespace nas::agent {

struct AgentLimits {
  uint64_t max_parameters = 8'000'000'000ull;  // specs above are rejected
  uint32_t max_context = 32768;                // longest prompt, or depth + decode tokens
  uint64_t max_memory_bytes = 0;               // the cap requests may ask for (0 = 90% of RAM)
  uint32_t default_deadline_seconds = 1800;
  uint32_t max_deadline_seconds = 4 * 3600;
  uint32_t max_points = 16;                    // prompt lengths, decode depths
  uint32_t max_repetitions = 1000;
  // Where the GGUF files that requests name (MeasureRequest.gguf) live; "" = none.
  std::string models_dir;
};

// The protocol with every zero / empty field replaced by its default.
MeasureProtocol EffectiveProtocol(const MeasureProtocol& requested);

// Validates the request. On success returns it with the model resolved to a spec (presets
// expanded; a gguf model stays a file name, with the weight type defaulting to the
// file's), the protocol's defaults filled, and the deadline and memory cap set.
absl::StatusOr<MeasureRequest> ValidateMeasureRequest(const MeasureRequest& request,
                                                      const AgentLimits& limits);

// The memory cap requests may use on this machine (limits.max_memory_bytes or 90% of RAM).
uint64_t MemoryLimitOf(const AgentLimits& limits);

// The path of the gguf model `name` in `models_dir` (no checks).
std::string GgufModelPath(const std::string& models_dir, const std::string& name);

}  // namespace nas::agent
