// star report's data: BuildReport on a real campaign run against fake agents, on the
// synthetic 1,000-candidate store, on a store with failures and no quality objective, and
// on campaigns still running; front.csv checked against the front recomputed from
// candidates.csv without star's code.
#include "star/report_builder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "google/protobuf/util/message_differencer.h"
#include "results/report_files.h"
#include "results/report_json.h"
#include "star/bench/synthetic_store.h"
#include "star/campaign.h"
#include "tests/star/campaign_test_util.h"
#include "tests/star/fake_agent.h"
#include "tests/star/report_test_util.h"

namespace nas::star {
namespace {

using testing::FakeAgent;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + name;
  std::filesystem::remove_all(dir);
  return dir;
}

// Writes the report's files and checks that front.csv is the front of candidates.csv.
void ExpectFrontCsvIsTheFrontOfCandidatesCsv(const results::Report& report,
                                             const std::string& dir) {
  auto written = results::WriteReportFiles(report, dir);
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_EQ(written->size(), 4u);
  const std::string candidates = testing::ReadFile(dir + "/candidates.csv");
  const std::string front = testing::ReadFile(dir + "/front.csv");
  const std::set<std::string> expected = testing::FrontFromCandidatesCsv(candidates);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(testing::HashesOfCsv(front), expected);
  EXPECT_EQ(testing::ParseCsv(candidates).size(), report.candidates_size() + 1u);
}

absl::StatusOr<results::Report> ReportOf(const std::string& db, int64_t now = NowMs()) {
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  if (!store.ok()) return store.status();
  return BuildReport(**store, db, now);
}

TEST(ReportBuilderTest, RealCampaignFrontCsvIsTheFrontOfCandidatesCsv) {
  FakeAgent laptop1, laptop2, phone;
  const std::string db = testing::FreshDbPath("report_campaign");
  const std::string space = testing::WriteTinySpace(
      "report_campaign", {laptop1.address(), laptop2.address()}, {phone.address()});
  auto campaign = Campaign::Create(db, space);
  ASSERT_TRUE(campaign.ok()) << campaign.status();
  ASSERT_TRUE((*campaign)->Run({}).ok());

  auto report = ReportOf(db);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->schema(), "nas-report/1");
  EXPECT_TRUE(report->campaign().complete());
  EXPECT_EQ(report->campaign().generations_done(), 3);
  EXPECT_EQ(report->campaign().candidates_total(), 24);
  EXPECT_EQ(report->candidates_size(), 24);
  EXPECT_EQ(report->generations_size(), 3);
  EXPECT_EQ(report->devices_size(), 2);
  EXPECT_EQ(report->objectives_size(), 3);
  EXPECT_EQ(report->objectives(0).name(), "quality[proxy:capacity-recall]");
  EXPECT_TRUE(report->objectives(0).maximised());
  EXPECT_EQ(report->objectives(1).unit(), "ms");
  EXPECT_EQ(report->objectives(2).unit(), "bytes");
  EXPECT_EQ(report->evaluator().name(), "proxy:capacity-recall");
  EXPECT_TRUE(report->evaluator().is_proxy());
  EXPECT_TRUE(report->evaluator().quality_is_objective());
  EXPECT_EQ(report->protocol().prompt_lengths_size(), 1);
  EXPECT_EQ(report->protocol().decode_depths_size(), 2);
  EXPECT_EQ(std::vector<std::string>(report->warnings().begin(), report->warnings().end()),
            std::vector<std::string>{"Quality is a proxy (proxy:capacity-recall), not a trained "
                                     "score: read it as a rough ranking."});
  int references = 0, measured = 0, detailed = 0;
  for (const results::Candidate& c : report->candidates()) {
    EXPECT_EQ(c.layers().size(), 6u);
    // Details for the front and the references only (ReportOptions).
    const bool details = c.on_front() || !c.reference().empty();
    EXPECT_EQ(c.layer_details_size(), details ? 6 : 0);
    detailed += details;
    references += !c.reference().empty();
    if (!c.rejected_reason().empty()) continue;
    ++measured;
    ASSERT_EQ(c.devices_size(), 2) << c.hash();
    for (const results::DeviceFigures& d : c.devices()) {
      EXPECT_EQ(d.outcome(), "OK");
      ASSERT_TRUE(d.has_peak_memory_bytes());
      EXPECT_EQ(d.prefill_size(), 1);
      EXPECT_EQ(d.decode_size(), 2);
      if (!details) {
        EXPECT_EQ(d.memory_by_context_size(), 0);
        continue;
      }
      // The curve passes through the measurement: one measured point, the peak.
      int measured_points = 0;
      for (const results::MemoryPoint& p : d.memory_by_context()) {
        if (!p.measured()) continue;
        ++measured_points;
        EXPECT_EQ(p.bytes(), d.peak_memory_bytes());
      }
      EXPECT_EQ(measured_points, 1);
      EXPECT_GE(d.memory_by_context_size(), 8);
    }
  }
  EXPECT_EQ(references, 2);
  EXPECT_LT(detailed, report->candidates_size());
  EXPECT_EQ(report->campaign().measurements_total(), 2 * measured);
  // With details_for_all, every candidate has them.
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  ASSERT_TRUE(store.ok());
  auto all = BuildReport(**store, db, NowMs(), {.details_for_all = true});
  ASSERT_TRUE(all.ok()) << all.status();
  for (const results::Candidate& c : all->candidates()) {
    EXPECT_EQ(c.layer_details_size(), 6);
    for (const results::DeviceFigures& d : c.devices()) EXPECT_EQ(d.memory_by_context_size(), 9);
  }
  const std::string dir = FreshDir("report_campaign_out");
  ExpectFrontCsvIsTheFrontOfCandidatesCsv(*report, dir);
  // `star front --csv`: the same rows as front.csv, then the references not on the front.
  const std::string front = testing::ReadFile(dir + "/front.csv");
  const std::string star_front = testing::FrontCsvOf(db);
  EXPECT_EQ(star_front.substr(0, front.size()), front);
  std::set<std::string> expected = testing::HashesOfCsv(front);
  for (const results::Candidate& c : report->candidates()) {
    if (!c.reference().empty()) expected.insert(c.hash());
  }
  EXPECT_EQ(testing::HashesOfCsv(star_front), expected);
}

TEST(ReportBuilderTest, ThousandCandidatesReportIsUnderFiveMegabytesAndReadsBack) {
  const std::string db = testing::FreshDbPath("report_synthetic_1000");
  ASSERT_TRUE(bench::WriteSyntheticStore(db, {}).ok());
  const auto started = std::chrono::steady_clock::now();
  auto report = ReportOf(db);
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string dir = FreshDir("report_synthetic_1000_out");
  ExpectFrontCsvIsTheFrontOfCandidatesCsv(*report, dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(report->candidates_size(), 1002);  // and the two references
  const uint64_t html = std::filesystem::file_size(dir + "/report.html");
  EXPECT_LT(html, 5u * 1000 * 1000);
  std::cout << "[ report ] 1002 candidates: report.html " << html << " bytes, report.json "
            << std::filesystem::file_size(dir + "/report.json") << " bytes, built and written in "
            << seconds << " s\n";
  auto back = results::ReportFromJson(testing::ReadFile(dir + "/report.json"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*back, *report));
  EXPECT_EQ(report->generations_size(), 5);
  EXPECT_GT(report->generations(4).hypervolume(), report->generations(0).hypervolume());
  // Drift at generations 3 and 5, two references on two classes.
  ASSERT_EQ(report->drift_size(), 8);
  EXPECT_EQ(report->drift(0).generation(), 3);
  EXPECT_EQ(report->drift(0).reference(), "tiny-hybrid");
  EXPECT_EQ(report->drift(0).metric(), "decode_ms_per_token@64");
  EXPECT_EQ(report->drift(0).ratio(), report->drift(0).value() / report->drift(0).baseline());
}

TEST(ReportBuilderTest, FailuresQuarantineAndNoQualityObjectiveAreSaidPlainly) {
  const std::string db = testing::FreshDbPath("report_failures");
  bench::SyntheticStoreOptions options;
  options.candidates = 60;
  options.generations_done = 3;
  options.generations_planned = 3;
  options.quality_objective = false;
  ASSERT_TRUE(bench::WriteSyntheticStore(db, options).ok());
  auto report = ReportOf(db);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(std::vector<std::string>(report->warnings().begin(), report->warnings().end()),
            (std::vector<std::string>{
                "1 measurement failed (1 TIMEOUT); a candidate without a successful measurement "
                "on every device class is infeasible.",
                "Agent 10.0.0.3:50063 (phone) was quarantined after repeated failures.",
                "Quality is not an objective: the front trades only speed, memory and size."}));
  EXPECT_FALSE(report->evaluator().quality_is_objective());
  EXPECT_EQ(report->evaluator().name(), "");
  EXPECT_EQ(report->evaluator().scored(), 0);
  EXPECT_EQ(report->campaign().measurements_failed(), 1);
  ASSERT_EQ(report->devices_size(), 2);
  const results::DeviceInfo& phone = report->devices(1);
  EXPECT_EQ(phone.device_class(), "phone");
  EXPECT_EQ(phone.failed_measurements(), 1);
  ASSERT_EQ(phone.agents_size(), 2);
  EXPECT_EQ(phone.agents(0).address(), "10.0.0.3:50063");
  EXPECT_TRUE(phone.agents(0).quarantined());
  EXPECT_FALSE(phone.agents(1).quarantined());
  EXPECT_EQ(phone.agents(0).cpu(), "Synthetic Cortex-A78 phone (8 CPUs)");
  EXPECT_EQ(phone.agents(0).isa_path(), "neon");
  EXPECT_EQ(phone.agents(0).build(), "liv 0.1.0, release, aarch64, gcc-compatible 12.2.0");
  ASSERT_EQ(report->events_size(), 2);
  EXPECT_EQ(report->events(1).kind(), "quarantined");
  EXPECT_EQ(report->events(1).worker(), "10.0.0.3:50063");
  int timeouts = 0;
  for (const results::Candidate& c : report->candidates()) {
    for (const results::DeviceFigures& d : c.devices()) {
      if (d.outcome() != "TIMEOUT") continue;
      ++timeouts;
      EXPECT_FALSE(c.feasible());
      EXPECT_FALSE(d.has_peak_memory_bytes());
      EXPECT_EQ(d.memory_by_context_size(), 0);
      EXPECT_EQ(d.message(), "the deadline of 120 s passed; the child was killed");
    }
    EXPECT_FALSE(c.has_quality());
  }
  EXPECT_EQ(timeouts, 1);
  const std::string dir = FreshDir("report_failures_out");
  ExpectFrontCsvIsTheFrontOfCandidatesCsv(*report, dir);
  EXPECT_GT(std::filesystem::file_size(dir + "/report.html"), 800000u);
}

TEST(ReportBuilderTest, PartialStoreSaysStillRunningOrStoppedEarly) {
  const std::string db = testing::FreshDbPath("report_partial");
  bench::SyntheticStoreOptions options;
  options.candidates = 40;
  options.generations_done = 2;
  options.generations_planned = 4;
  options.now_unix_ms = NowMs();
  ASSERT_TRUE(bench::WriteSyntheticStore(db, options).ok());
  auto running = ReportOf(db, options.now_unix_ms + 1000);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_FALSE(running->campaign().complete());
  ASSERT_GE(running->warnings_size(), 1);
  EXPECT_EQ(running->warnings(0),
            "The campaign is still running: 2 of 4 generations are done; the front may still "
            "change.");
  auto stopped = ReportOf(db, options.now_unix_ms + 24 * 3600 * 1000LL);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->warnings(0),
            "The campaign stopped early: 2 of 4 generations are done; the front may still "
            "change (continue it with `star resume --db " +
                db + "`).");
}

TEST(ReportBuilderTest, ReportOfACampaignWhileItRuns) {
  FakeAgent laptop1, laptop2, phone;
  const std::string db = testing::FreshDbPath("report_running");
  const std::string space = testing::WriteTinySpace(
      "report_running", {laptop1.address(), laptop2.address()}, {phone.address()});
  auto campaign = Campaign::Create(db, space);
  ASSERT_TRUE(campaign.ok()) << campaign.status();
  std::optional<absl::StatusOr<results::Report>> mid;
  CampaignRunOptions options;
  options.on_progress = [&](const CampaignProgress& p) {
    if (mid || p.generation != 2 || p.jobs_done == 0) return;
    mid = ReportOf(db);
  };
  ASSERT_TRUE((*campaign)->Run(options).ok());
  ASSERT_TRUE(mid.has_value());
  ASSERT_TRUE(mid->ok()) << mid->status();
  const results::Report& report = **mid;
  EXPECT_FALSE(report.campaign().complete());
  EXPECT_EQ(report.campaign().generations_done(), 1);
  ASSERT_GE(report.warnings_size(), 1);
  EXPECT_EQ(report.warnings(0),
            "The campaign is still running: 1 of 3 generations are done; the front may still "
            "change.");
  // Generation 2's candidates already stored are shown, never on the front (yet).
  int in_progress = 0;
  for (const results::Candidate& c : report.candidates()) {
    if (c.generation() != 2) continue;
    ++in_progress;
    EXPECT_FALSE(c.on_front());
  }
  EXPECT_GT(in_progress, 0);
  EXPECT_EQ(report.candidates_size(), report.campaign().candidates_total());
}

}  // namespace
}  // namespace nas::star
