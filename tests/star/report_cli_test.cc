// `star report` as people run it: the four files into --out, the Markdown summary on
// stdout, and clear errors for a missing --out or store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "star/bench/synthetic_store.h"
#include "tests/star/campaign_test_util.h"
#include "tests/star/report_test_util.h"
#include "tests/star/star_process.h"

namespace nas::star {
namespace {

using testing::ReadFile;
using testing::StarProcess;

int RunStar(const std::vector<std::string>& args, const std::string& log) {
  std::filesystem::remove(log);
  StarProcess star(args, log);
  EXPECT_TRUE(star.started());
  return star.Wait(std::chrono::seconds(120));
}

TEST(ReportCliTest, WritesTheFourFilesAndPrintsMarkdown) {
  const std::string db = testing::FreshDbPath("report_cli");
  bench::SyntheticStoreOptions options;
  options.candidates = 30;
  options.generations_done = 2;
  ASSERT_TRUE(bench::WriteSyntheticStore(db, options).ok());
  const std::string dir = ::testing::TempDir() + "report_cli_out/nested";
  std::filesystem::remove_all(::testing::TempDir() + "report_cli_out");
  const std::string log = ::testing::TempDir() + "report_cli.log";
  ASSERT_EQ(RunStar({"report", "--db", db, "--out", dir}, log), 0) << ReadFile(log);
  for (const char* name : {"report.html", "report.json", "candidates.csv", "front.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + name)) << name;
    EXPECT_NE(ReadFile(log).find(std::string("wrote ") + dir + "/" + name), std::string::npos)
        << ReadFile(log);
    EXPECT_FALSE(std::filesystem::exists(dir + "/" + name + ".tmp"));
  }
  EXPECT_EQ(ReadFile(dir + "/report.html").find("<!--NAS:"), std::string::npos);

  ASSERT_EQ(RunStar({"report", "--db", db, "--format", "md"}, log), 0) << ReadFile(log);
  const std::string md = ReadFile(log);
  EXPECT_EQ(md.rfind("# synthetic \u2014 campaign report\n", 0), 0u) << md;
  EXPECT_NE(md.find("| * | CCACCA |"), std::string::npos) << md;
  EXPECT_NE(md.find("Agent 10.0.0.3:50063 (phone) was quarantined"), std::string::npos);
}

TEST(ReportCliTest, ClearErrors) {
  const std::string log = ::testing::TempDir() + "report_cli_errors.log";
  const std::string db = testing::FreshDbPath("report_cli_errors");
  bench::SyntheticStoreOptions options;
  options.candidates = 10;
  options.generations_done = 1;
  ASSERT_TRUE(bench::WriteSyntheticStore(db, options).ok());
  EXPECT_EQ(RunStar({"report", "--db", db}, log), 2);
  EXPECT_NE(ReadFile(log).find("--out DIR is required"), std::string::npos) << ReadFile(log);
  // Bad usage caught by the command-line parser: CLI11's non-zero exit code and message.
  EXPECT_NE(RunStar({"report", "--db", "/nonexistent/x.db", "--out", "/tmp/x"}, log), 0);
  EXPECT_NE(ReadFile(log).find("/nonexistent/x.db"), std::string::npos) << ReadFile(log);
  EXPECT_NE(RunStar({"report", "--db", db, "--format", "pdf"}, log), 0);
  EXPECT_NE(ReadFile(log).find("pdf"), std::string::npos) << ReadFile(log);
  // A file that is not a campaign store.
  const std::string not_db = ::testing::TempDir() + "report_cli_not_a_db.txt";
  { std::ofstream(not_db) << "hello"; }
  EXPECT_NE(RunStar({"report", "--db", not_db, "--out", "/tmp/x"}, log), 0);
  EXPECT_NE(ReadFile(log).find(not_db), std::string::npos) << ReadFile(log);
}

}  // namespace
}  // namespace nas::star
