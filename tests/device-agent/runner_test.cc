// Runners: the command lines they build, and the ssh and adb runners end to end through
// stand-ins that behave like ssh and adb (join the remote command into one shell string,
// push by copying), so the quoting, the spec on stdin and the one-time push are exercised.
#include "device-agent/runner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "device-agent/measurer.h"
#include "device-agent/request_validation.h"
#include "tests/device-agent/agent_test_util.h"

namespace nas::agent {
namespace {

std::string WriteScript(const std::string& name, const std::string& body) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0755);
  return path;
}

// ssh HOST CMD...: the remote shell runs the arguments joined by spaces.
std::string FakeSsh() { return WriteScript("fake_ssh", "shift\nexec sh -c \"$*\"\n"); }

// adb -s SERIAL push SRC DST | adb -s SERIAL shell CMD...
std::string FakeAdb(const std::string& log) {
  return WriteScript("fake_adb",
                     "shift 2\n"
                     "if [ \"$1\" = push ]; then echo push >> " + log + "; cp \"$2\" \"$3\"; exit; fi\n"
                     "shift\nexec sh -c \"$*\"\n");
}

MeasureResult MeasureWith(RunnerConfig config) {
  auto runner = Runner::Create(config);
  EXPECT_TRUE(runner.ok()) << runner.status();
  EXPECT_TRUE(runner->Prepare().ok());
  auto request = ValidateMeasureRequest(testing::SmallRequest(), {});
  EXPECT_TRUE(request.ok()) << request.status();
  Measurer measurer(std::move(runner).value());
  ChildProcess child;
  return measurer.Measure(*request, 0, child, {});
}

TEST(RunnerTest, ShellQuoteKeepsArgumentsWhole) {
  EXPECT_EQ(ShellQuote("512,4096"), "512,4096");
  EXPECT_EQ(ShellQuote("-"), "-");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("$(rm -rf /)"), "'$(rm -rf /)'");
}

TEST(RunnerTest, CommandsPerKind) {
  RunnerConfig local;
  local.binary = NAS_LIV_MEASURE_BIN;
  auto r = Runner::Create(local);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Command({"-p", "8"}),
            (std::vector<std::string>{std::filesystem::absolute(NAS_LIV_MEASURE_BIN), "-p", "8"}));
  EXPECT_EQ(r->Description(), "local");

  RunnerConfig qemu = local;
  qemu.kind = "qemu";
  r = Runner::Create(qemu);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Command({})[0], "qemu-aarch64");
  EXPECT_EQ(r->Description(), "qemu: qemu-aarch64");

  RunnerConfig bad = local;
  bad.kind = "telnet";
  EXPECT_NE(Runner::Create(bad).status().message().find("unknown runner \"telnet\""), std::string::npos);
  bad = local;
  bad.kind = "ssh";
  EXPECT_NE(Runner::Create(bad).status().message().find("needs a prefix"), std::string::npos);
  bad = local;
  bad.binary = "/nonexistent/liv-measure";
  EXPECT_EQ(Runner::Create(bad).status().code(), absl::StatusCode::kNotFound);
}

TEST(RunnerTest, SshRunnerMeasuresThroughARemoteShell) {
  RunnerConfig ssh;
  ssh.kind = "ssh";
  ssh.prefix = {FakeSsh(), "device-host"};
  ssh.remote_binary = std::filesystem::absolute(NAS_LIV_MEASURE_BIN);
  const MeasureResult r = MeasureWith(ssh);
  EXPECT_EQ(r.outcome(), MeasureResult::OK) << r.message();
  EXPECT_GT(r.peak_memory_bytes(), 0u);
}

TEST(RunnerTest, AdbRunnerPushesTheBinaryOnceThenMeasures) {
  const std::string log = ::testing::TempDir() + "fake_adb.log";
  std::filesystem::remove(log);
  RunnerConfig adb;
  adb.kind = "adb";
  adb.prefix = {FakeAdb(log), "-s", "SERIAL", "shell"};
  adb.binary = NAS_LIV_MEASURE_BIN;
  adb.remote_binary = ::testing::TempDir() + "pushed-liv-measure";
  std::filesystem::remove(adb.remote_binary);
  auto runner = Runner::Create(adb);
  ASSERT_TRUE(runner.ok()) << runner.status();
  ASSERT_TRUE(runner->Prepare().ok());
  EXPECT_TRUE(std::filesystem::exists(adb.remote_binary));
  auto request = ValidateMeasureRequest(testing::SmallRequest(), {});
  ASSERT_TRUE(request.ok());
  Measurer measurer(std::move(runner).value());
  for (int i = 0; i < 2; ++i) {
    ChildProcess child;
    const MeasureResult r = measurer.Measure(*request, 0, child, {});
    EXPECT_EQ(r.outcome(), MeasureResult::OK) << r.message();
  }
  std::ifstream pushes(log);
  std::string line;
  int count = 0;
  while (std::getline(pushes, line)) count += line == "push";
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace nas::agent
