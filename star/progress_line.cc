#include "star/progress_line.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace nas::star {

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  const long total = std::lround(seconds);
  const long h = total / 3600, m = (total / 60) % 60, s = total % 60;
  return h > 0 ? absl::StrFormat("%d:%02d:%02d", h, m, s) : absl::StrFormat("%d:%02d", m, s);
}

std::string FormatProgressLine(const CampaignProgress& p) {
  std::string line = absl::StrCat("gen ", p.generation, "/", p.generations, " | measured ",
                                  p.jobs_done, "/", p.jobs_total);
  if (p.reused > 0) absl::StrAppend(&line, ", reused ", p.reused);
  if (p.rejected > 0) absl::StrAppend(&line, ", rejected ", p.rejected);
  if (p.failed > 0) absl::StrAppend(&line, ", FAILED ", p.failed);
  if (p.evaluations_total > 0) {
    absl::StrAppend(&line, " | evaluated ", p.evaluations_done, "/", p.evaluations_total);
    if (p.evaluations_failed > 0) absl::StrAppend(&line, ", ", p.evaluations_failed, " without score");
  }
  absl::StrAppend(&line, " | agents ", p.agents);
  if (p.agents_quarantined > 0) absl::StrAppend(&line, " (", p.agents_quarantined, " quarantined)");
  absl::StrAppend(&line, " | ", FormatDuration(p.elapsed_seconds));
  absl::StrAppend(&line, " | ETA ", p.eta_seconds < 0 ? "?" : FormatDuration(p.eta_seconds));
  if (!p.message.empty()) absl::StrAppend(&line, " | ", p.message);
  return line;
}

}  // namespace nas::star
