// Resolves what a user names on a command line — a preset ("lfm2-350m", any case) or an
// ArchSpec file (.textproto / .json), or "-" for text format on standard input — into a
// validated ArchSpec. Errors are one line and
// name the file (and line or field). Stateless; thread-safe.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "liv/model/arch_spec_validate.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

absl::StatusOr<ArchSpec> LoadArchSpec(std::string_view preset_or_path,
                                      const ValidationLimits& limits = {});

}  // namespace nas::liv
