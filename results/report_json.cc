#include "results/report_json.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace nas::results {

absl::StatusOr<std::string> ReportToJson(const Report& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("report as JSON: ", status.ToString()));
  }
  return json;
}

absl::StatusOr<Report> ReportFromJson(const std::string& json) {
  Report report;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &report);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("report JSON: ", status.ToString()));
  }
  return report;
}

}  // namespace nas::results
