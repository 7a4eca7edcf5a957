// Reads a whole file a user named (a spec, a search space), with one-line errors that name
// the path: missing, a directory, larger than a limit, unreadable. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace nas {

// `what` names the expected content with its article, e.g. "an ArchSpec" gives
// "PATH: is a directory, not an ArchSpec" and "PATH: N bytes is too large for an ArchSpec".
absl::StatusOr<std::string> ReadUserFile(const std::string& path, uint64_t max_bytes,
                                         const std::string& what);

}  // namespace nas
