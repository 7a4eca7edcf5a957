// The campaign report (proto/report.proto) from a campaign store, running or finished:
// everything is read inside one read transaction (CampaignStore::BeginRead), so the report
// is one consistent snapshot even while the coordinator keeps writing. Candidates are
// those of the completed generations plus any of the generation in progress (which are
// never on the front: it is computed over the completed generations, as `star front`
// does). Problems a reader must know of become plain sentences in Report.warnings
// (report_warnings.h); an incomplete campaign whose last record is under 10 minutes old
// counts as still running, an older one as stopped early (the store keeps no lock to tell).
// Not thread-safe (as the store).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"
#include "results/campaign_store.h"

namespace nas::star {

inline constexpr char kReportSchema[] = "nas-report/1";

struct ReportOptions {
  // Per-layer details and memory against context for every candidate; by default only for
  // the front and the references (the figures a reader inspects; the page plots memory
  // against context for those only), which keeps a 1,000-candidate page of a 16-layer
  // space well under 5 MB.
  bool details_for_all = false;
};

absl::StatusOr<results::Report> BuildReport(results::CampaignStore& store,
                                            const std::string& db_path, int64_t now_unix_ms,
                                            const ReportOptions& options = {});

}  // namespace nas::star
