// The reference LFM2 models (LFM2-350M, -700M, -1.2B, -2.6B) as ArchSpecs, exactly as
// published (../shared/REFERENCE.md section 1), including the FFN width rule. Presets are
// looked up by name, case-insensitively ("lfm2-350m"). Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

// LFM2's `block_auto_adjust_ff_dim` rule: ff = int(2 ff / 3), ff = int(multiplier ff),
// then rounded up to a multiple of 256.
int AdjustFfDim(int ff, double multiplier = 1.0);

// Canonical names of every preset, e.g. "LFM2-350M".
std::vector<std::string> PresetNames();

absl::StatusOr<ArchSpec> PresetArchSpec(std::string_view name);

}  // namespace nas::liv
