#include "device-agent/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace nas::agent {
namespace {

using std::chrono::milliseconds;

TEST(ChildProcessTest, CapturesOutputErrorsAndExitCode) {
  ChildProcess child;
  auto r = child.Run({"sh", "-c", "cat; echo err >&2; exit 3"}, "from stdin\n", {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->signal, 0);
  EXPECT_EQ(r->out, "from stdin\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->killed_for, KillReason::kNone);
  EXPECT_LE(r->started, r->finished);
}

TEST(ChildProcessTest, FeedsAnInputLargerThanThePipeBuffer) {
  ChildProcess child;
  std::string input;
  for (int i = 0; input.size() < (1u << 20); ++i) input += std::to_string(i) + "\n";
  auto r = child.Run({"cat"}, input, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, input);
}

TEST(ChildProcessTest, AChildThatIgnoresItsInputIsFine) {
  // Without SIGPIPE handling, writing to a pipe nobody reads would kill this process.
  ChildProcess child;
  auto r = child.Run({"sh", "-c", "exec 0<&-; echo done"}, std::string(1 << 20, 'x'), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "done\n");
}

TEST(ChildProcessTest, KillsTheWholeGroupAtTheDeadline) {
  ChildProcess child;
  ChildLimits limits;
  limits.deadline = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  // The grandchild (sleep) would keep the pipes open if it survived the kill.
  auto r = child.Run({"sh", "-c", "sleep 30 & sleep 30"}, "", limits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->killed_for, KillReason::kDeadline);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ChildProcessTest, KillsAChildOverTheMemoryCap) {
  ChildProcess child;
  ChildLimits limits;
  limits.memory_cap_bytes = 64 << 20;
  limits.deadline = std::chrono::seconds(60);
  // liv-measure builds 1.4 GB of weights for LFM2-350M: the watchdog stops it long before.
  auto r = child.Run({NAS_LIV_MEASURE_BIN, "-m", "LFM2-350M", "-p", "8", "-r", "1", "-q"}, "",
                     limits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->killed_for, KillReason::kMemoryCap);
  EXPECT_GT(r->peak_rss_bytes, 64u << 20);
}

TEST(ChildProcessTest, ReportsTheSignalThatEndedTheChild) {
  ChildProcess child;
  auto r = child.Run({"sh", "-c", "kill -SEGV $$"}, "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signal, SIGSEGV);
  EXPECT_EQ(r->killed_for, KillReason::kNone);
}

TEST(ChildProcessTest, MissingBinaryExitsWith127) {
  ChildProcess child;
  auto r = child.Run({"/nonexistent/liv-measure"}, "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 127);
  EXPECT_NE(r->err.find("cannot execute /nonexistent/liv-measure"), std::string::npos);
}

}  // namespace
}  // namespace nas::agent
