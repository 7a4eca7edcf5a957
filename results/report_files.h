// Writes a report's four files into a directory (created if needed): report.html (the
// self-contained page), report.json, candidates.csv and front.csv. Each file is written to
// a temporary name in the directory and renamed over the final one, so an interrupted run
// never leaves a half-written report file. Not thread-safe for the same directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"
#include "results/report_assets.h"

namespace nas::results {

struct WrittenFile {
  std::string path;
  uint64_t bytes = 0;
};

absl::StatusOr<std::vector<WrittenFile>> WriteReportFiles(
    const Report& report, const std::string& dir,
    const ReportAssets& assets = EmbeddedReportAssets());

// `contents` to `path` through `path` + ".tmp" and a rename.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace nas::results
