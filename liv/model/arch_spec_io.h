// Reading and writing ArchSpecs as protobuf text format (.textproto, .txtpb, .pbtxt) and
// JSON (.json). Parse errors come back as one line naming the source and, where the parser
// knows it, the line and column: "spec.textproto:12:5: Expected integer, got: abc".
// Unknown fields are errors, never ignored. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

absl::StatusOr<ArchSpec> ParseArchSpecText(std::string_view text, std::string_view source);
absl::StatusOr<ArchSpec> ParseArchSpecJson(std::string_view text, std::string_view source);

// Picks the format from the extension (.json = JSON, anything else = text format).
// Does not validate: see LoadArchSpec.
absl::StatusOr<ArchSpec> ReadArchSpecFile(const std::string& path);

std::string ArchSpecToText(const ArchSpec& spec);
std::string ArchSpecToJson(const ArchSpec& spec);

}  // namespace nas::liv
