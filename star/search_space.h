// Loading search spaces (proto/search_space.proto) from protobuf text format. Unknown
// fields are errors. Every error is one line naming the file, the line and column, and the
// field: syntax errors as "FILE:LINE:COL: field.path: message" (the path of the field being
// parsed, when it can be recovered), semantic errors as "FILE:LINE:COL: field.path: message"
// with the position of the offending field (or of its nearest written ancestor when the
// field is missing; 1:1 when nothing is). The rules are those of search_space_validate.h
// plus the references: each names a known preset, holds a valid ArchSpec or names a
// readable LFM2 GGUF file (gguf_reference.h), expressible in the space (Encode,
// genome_encode.h), and the labels are unique. Relative gguf paths are made absolute
// against the directory of the space file (the `source` of ParseSearchSpaceText).
// Stateless; thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/search_space.pb.h"

namespace nas::star {

inline constexpr double kDefaultMutationRate = 0.1;
inline constexpr double kDefaultCrossoverRate = 0.9;

// Reads, parses and checks a space file.
absl::StatusOr<SearchSpace> LoadSearchSpace(const std::string& path);

// Parses and checks text; `source` names it in errors (a file name).
absl::StatusOr<SearchSpace> ParseSearchSpaceText(const std::string& text,
                                                 const std::string& source);

// Every rule, references included, for a space built in code. Errors read
// "field.path: message" (no file, no line).
absl::Status CheckSearchSpace(const SearchSpace& space);

// A reference's label: its name, else its preset's name, else its GGUF file's name
// without ".gguf", else its spec's name.
std::string ReferenceLabel(const Reference& reference);

// A reference's architecture (the preset expanded, the GGUF's header read), named by
// ReferenceLabel. Not checked against the space: see CheckSearchSpace.
absl::StatusOr<ArchSpec> ResolveReference(const Reference& reference);

// A file named in a space (devices[].token_file) as a path to open: relative names are
// relative to the directory of the space file `space_path`; absolute ones stay as they are.
std::string ResolveSpacePath(const std::string& space_path, const std::string& file);

// The evolution rates with their defaults applied.
double MutationRate(const Evolution& evolution);
double CrossoverRate(const Evolution& evolution);

}  // namespace nas::star
