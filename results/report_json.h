// report.json: the Report (proto/report.proto) in protobuf's JSON form as the browser page
// reads it — snake_case field names, every scalar present (0, "", false included), unset
// `optional` fields absent, 64-bit integers as strings. Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"

namespace nas::results {

absl::StatusOr<std::string> ReportToJson(const Report& report);
// The inverse (unknown fields are an error), for tests and tools that read a report back.
absl::StatusOr<Report> ReportFromJson(const std::string& json);

}  // namespace nas::results
