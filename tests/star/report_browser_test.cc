// The HTML report of a small real campaign, rendered in headless Chromium: two real device
// agents (device-agent processes on 127.0.0.1, ephemeral ports) measure every candidate
// with the real liv-measure, `star`'s campaign runs two generations of the tiny space, the
// report is built and written, and tests/report/render_report.mjs opens it in Debian's
// chromium (playwright-core): no console or page errors, every plot shows the points the
// data calls for, and a screenshot is saved as a test artefact
// (build/test-artifacts/report_browser/report.png). Counts are also cross-checked here
// from the Report message for the plots whose rule is simplest.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "results/report_files.h"
#include "star/bench/synthetic_store.h"
#include "star/campaign.h"
#include "star/report_builder.h"
#include "tests/liv/formats/lfm2_gguf_file.h"
#include "tests/star/agent_processes.h"
#include "tests/star/campaign_test_util.h"

namespace nas::star {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// Runs `command` through the shell; its stdout, and its exit status in `*status`.
std::string RunCommand(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int raw = pclose(pipe);
  *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

bool OnPath(const std::string& program) {
  int status = 0;
  RunCommand("command -v " + program + " >/dev/null 2>&1", &status);
  return status == 0;
}

// Candidates a quality-vs-decode plot of `device_class` shows: a quality score and an OK
// measurement with a decode point on that class.
int QualityDecodePoints(const results::Report& report, const std::string& device_class) {
  int n = 0;
  for (const results::Candidate& c : report.candidates()) {
    if (!c.has_quality()) continue;
    for (const results::DeviceFigures& d : c.devices()) {
      n += d.device_class() == device_class && d.outcome() == "OK" && d.decode_size() > 0;
    }
  }
  return n;
}

void ExpectBrowserTools() {
  const char* chromium = std::getenv("NAS_CHROMIUM");
  ASSERT_TRUE(OnPath("node")) << "node is not installed: run scripts/setup.sh";
  ASSERT_TRUE(std::filesystem::exists(chromium != nullptr ? chromium : "/usr/bin/chromium"))
      << "chromium is not installed: run scripts/setup.sh";
}

// render_report.mjs on `html`: its exit status and its JSON summary.
Struct Render(const std::string& html, const std::string& screenshot, int* status,
              std::string* output) {
  *output = RunCommand("node " NAS_SOURCE_DIR "/tests/report/render_report.mjs " + html +
                           " --screenshot " + screenshot + " --json 2>&1",
                       status);
  Struct summary;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(*output, &summary).ok()) << *output;
  return summary;
}

TEST(ReportBrowserTest, ASmallRealCampaignsReportRendersInChromium) {
  ExpectBrowserTools();

  // One reference is a checkpoint file: the agents measure it with its own (Q8_0) weights
  // from their models directory.
  const std::string models = ::testing::TempDir() + "report-browser-models";
  std::filesystem::create_directories(models);
  const std::string checkpoint = models + "/tiny-lfm2.gguf";
  ASSERT_TRUE(liv::testing::WriteTinyLfm2Gguf(checkpoint, liv::GgmlType::kQ8_0).ok());
  testing::AgentProcessOptions options;
  options.measure_binary = NAS_LIV_MEASURE_BINARY;
  options.extra_args = {"--models-dir", models};
  auto agents = testing::AgentProcesses::Start(2, options);
  ASSERT_TRUE(agents.ok()) << agents.status();
  const std::string space = testing::WriteTinySpace(
      "report_browser", {(*agents)->address(0)}, {(*agents)->address(1)}, [&](SearchSpace& s) {
        s.mutable_references(0)->Clear();  // tiny-hybrid
        s.mutable_references(0)->set_gguf(checkpoint);
        s.mutable_evolution()->set_population(6);
        s.mutable_evolution()->set_generations(2);
        // Two prompt lengths and two depths, so the per-length and per-depth plots have
        // lines; the shortest protocol that still gives intervals.
        agent::MeasureProtocol& p = *s.mutable_protocol();
        p.clear_prompt_lengths();
        p.add_prompt_lengths(32);
        p.add_prompt_lengths(64);
        p.clear_decode_depths();
        p.add_decode_depths(0);
        p.add_decode_depths(64);
        p.set_decode_tokens(8);
        p.set_max_repetitions(6);
        p.set_max_seconds_per_point(1);
      });
  const std::string db = testing::FreshDbPath("report_browser");
  {
    auto campaign = Campaign::Create(db, space, {});
    ASSERT_TRUE(campaign.ok()) << campaign.status();
    const absl::Status run = (*campaign)->Run({});
    ASSERT_TRUE(run.ok()) << run;
  }
  (*agents)->StopAll();

  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = BuildReport(**store, db, 1'700'000'000'000);
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string dir = std::string(NAS_TEST_ARTIFACTS_DIR) + "/report_browser";
  std::filesystem::remove_all(dir);
  auto written = results::WriteReportFiles(*report, dir);
  ASSERT_TRUE(written.ok()) << written.status();

  const std::string screenshot = dir + "/report.png";
  int status = 0;
  std::string output;
  const Struct summary = Render(dir + "/report.html", screenshot, &status, &output);
  EXPECT_EQ(status, 0) << output;
  const auto& fields = summary.fields();
  EXPECT_EQ(fields.at("status").string_value(), "rendered") << output;
  EXPECT_EQ(fields.at("errors").list_value().values_size(), 0) << output;
  EXPECT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 10'000u);

  // The plots the data calls for, each with the expected number of points.
  const auto& plots = fields.at("plots").struct_value().fields();
  auto points = [&](const std::string& id) -> double {
    auto it = plots.find(id);
    if (it == plots.end()) {
      ADD_FAILURE() << "no plot " << id << " in " << output;
      return -1;
    }
    const auto& plot = it->second.struct_value().fields();
    EXPECT_EQ(plot.at("points").number_value(), plot.at("expected").number_value()) << id;
    return plot.at("points").number_value();
  };
  // The checkpoint reference was measured on both classes, in the file's weight type.
  int checkpoint_devices = 0;
  for (const auto& c : report->candidates()) {
    if (c.reference() != "tiny-lfm2") continue;
    checkpoint_devices = c.devices_size();
    EXPECT_EQ(c.checkpoint(), checkpoint);
    EXPECT_EQ(c.weight_type(), "q8_0");
  }
  EXPECT_EQ(checkpoint_devices, 2);
  const std::string note = "Reference tiny-lfm2 is the checkpoint " + checkpoint +
                           ", measured with its own q8_0 weights; the searched candidates have "
                           "random f32 weights (speed and memory depend on the type, not the "
                           "values).";
  EXPECT_NE(std::find(report->warnings().begin(), report->warnings().end(), note),
            report->warnings().end());
  EXPECT_EQ(points("hypervolume"), report->generations_size());
  EXPECT_EQ(report->generations_size(), 2);
  for (const char* device_class : {"laptop", "phone"}) {
    const int expected = QualityDecodePoints(*report, device_class);
    EXPECT_GE(expected, 6) << device_class;  // every admitted candidate was measured
    EXPECT_EQ(points(std::string("quality-vs-decode:") + device_class), expected);
    for (const char* kind : {"quality-vs-memory:", "prefill-vs-decode:", "memory-vs-context:",
                             "decode-vs-depth:"}) {
      EXPECT_GT(points(kind + std::string(device_class)), 0) << kind << device_class;
    }
  }
}

// 1,000 candidates without a quality objective, with a timed-out measurement, a failed
// evaluation and a quarantined agent: the page renders without errors, draws the plots that
// need no quality with every point, leaves the quality plots out, and the report says why.
TEST(ReportBrowserTest, ALargeStoreWithProblemsAndNoQualityRenders) {
  ExpectBrowserTools();
  const std::string db = testing::FreshDbPath("report_browser_no_quality");
  bench::SyntheticStoreOptions options;
  options.quality_objective = false;
  ASSERT_TRUE(bench::WriteSyntheticStore(db, options).ok());
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = BuildReport(**store, db, 1'700'000'000'000);
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string dir = std::string(NAS_TEST_ARTIFACTS_DIR) + "/report_browser_no_quality";
  std::filesystem::remove_all(dir);
  auto written = results::WriteReportFiles(*report, dir);
  ASSERT_TRUE(written.ok()) << written.status();

  int status = 0;
  std::string output;
  const Struct summary = Render(dir + "/report.html", dir + "/report.png", &status, &output);
  EXPECT_EQ(status, 0) << output;
  const auto& fields = summary.fields();
  EXPECT_EQ(fields.at("status").string_value(), "rendered") << output;
  const auto& plots = fields.at("plots").struct_value().fields();
  for (const char* device_class : {"laptop", "phone"}) {
    const std::string c = device_class;
    EXPECT_EQ(plots.count("quality-vs-decode:" + c), 0u) << output;
    ASSERT_EQ(plots.count("prefill-vs-decode:" + c), 1u) << output;
    const auto& plot = plots.at("prefill-vs-decode:" + c).struct_value().fields();
    EXPECT_GE(plot.at("points").number_value(), 999) << c;  // all but a failed measurement
    EXPECT_EQ(plot.at("points").number_value(), plot.at("expected").number_value()) << c;
  }
  std::string warnings;
  for (const std::string& w : report->warnings()) warnings += w + "\n";
  EXPECT_NE(warnings.find("TIMEOUT"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("quarantined"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("Quality is not an objective"), std::string::npos) << warnings;
}

}  // namespace
}  // namespace nas::star
