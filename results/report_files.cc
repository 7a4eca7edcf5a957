#include "results/report_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "results/report_csv.h"
#include "results/report_html.h"
#include "results/report_json.h"

namespace nas::results {

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return absl::InternalError(absl::StrCat(temporary, ": cannot write: ", why));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return absl::InternalError(absl::StrCat(path, ": cannot replace: ", why));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<WrittenFile>> WriteReportFiles(const Report& report,
                                                          const std::string& dir,
                                                          const ReportAssets& assets) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, ": cannot create the report directory: ", error.message()));
  }
  absl::StatusOr<std::string> json = ReportToJson(report);
  if (!json.ok()) return json.status();
  absl::StatusOr<std::string> html = RenderReportHtml(report, assets);
  if (!html.ok()) return html.status();
  const std::vector<std::pair<std::string, std::string>> files = {
      {"report.html", std::move(*html)},
      {"report.json", std::move(*json)},
      {"candidates.csv", CandidatesCsv(report, CsvRows::kAll)},
      {"front.csv", CandidatesCsv(report, CsvRows::kFront)},
  };
  std::vector<WrittenFile> written;
  for (const auto& [name, contents] : files) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    if (auto status = WriteFileAtomically(path, contents); !status.ok()) return status;
    written.push_back({path, contents.size()});
  }
  return written;
}

}  // namespace nas::results
