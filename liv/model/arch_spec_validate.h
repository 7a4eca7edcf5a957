// Validation of an ArchSpec. Every error names the offending field by its path, e.g.
// "layers[3].attention.num_kv_heads: 3 does not divide num_heads (16)", so a user can find
// it in their file; the first error found is returned. Limits reject absurd sizes before
// anything is allocated; the parameter cap rejects specs whose weights would not fit.
// Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

struct ValidationLimits {
  uint64_t max_vocab_size = 1u << 22;
  uint64_t max_d_model = 1u << 16;
  uint64_t max_layers = 1024;
  uint64_t max_heads = 1024;
  uint64_t max_head_dim = 1024;
  uint64_t max_hidden = 1u << 20;         // SwiGLU / GELU hidden width
  uint64_t max_sliding_window = 1u << 24;
  uint64_t min_kernel_size = 2;
  uint64_t max_kernel_size = 16;
  uint64_t max_parameters = 20'000'000'000ull;  // the weight cap (configurable)
};

// Checks every field of the spec. On success the spec can be built and run.
absl::Status ValidateArchSpec(const ArchSpec& spec, const ValidationLimits& limits = {});

}  // namespace nas::liv
