// Checks a MeasureRequest before it is queued, against the agent's limits, and fills the
// protocol's defaults. Every error is InvalidArgument naming the field, e.g.
// "protocol.prompt_lengths[1]: 0 is not in [1, 32768]" or "spec.layers[2].attention.
// num_kv_heads: 3 does not divide num_heads (16)". Pure functions; thread-safe.
#pragma once

#include <cstdint>

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
};

// The protocol with every zero / empty field replaced by its default.
MeasureProtocol EffectiveProtocol(const MeasureProtocol& requested);

// Validates the request. On success returns it with the model resolved to a spec (presets
// expanded), the protocol's defaults filled, and the deadline and memory cap set.
absl::StatusOr<MeasureRequest> ValidateMeasureRequest(const MeasureRequest& request,
                                                      const AgentLimits& limits);

// The memory cap requests may use on this machine (limits.max_memory_bytes or 90% of RAM).
uint64_t MemoryLimitOf(const AgentLimits& limits);

}  // namespace nas::agent
