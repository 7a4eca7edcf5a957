// Crash safety of campaigns with real agents: `star` runs as a child process against
// device-agent processes on loopback (measuring with the deterministic star-test-measure,
// so two runs can be compared exactly), is killed with SIGKILL at random moments —
// mid-measurement, right after a generation was committed, at a random time after a
// resume — and resumed each time. The final population and front must equal those of an
// uninterrupted run with the same seed, and no architecture may be measured twice.
// Also: an agent killed mid-campaign; the campaign completes on the other agent of its
// class and the store records the failure.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <csignal>
#include <thread>

#include "results/campaign_store.h"
#include "star/campaign.h"
#include "tests/star/agent_processes.h"
#include "tests/star/campaign_test_util.h"
#include "tests/star/star_process.h"

namespace nas::star {
namespace {

using namespace std::chrono_literals;
using testing::AgentProcesses;
using testing::StarProcess;

constexpr int kSleepMs = 40;  // per simulated measurement: long enough to kill mid-way

std::unique_ptr<AgentProcesses> StartAgents(const std::string& log) {
  std::filesystem::remove(log);
  testing::AgentProcessOptions options;
  options.measure_log = log;
  options.measure_sleep_ms = kSleepMs;
  auto agents = AgentProcesses::Start(3, options);
  EXPECT_TRUE(agents.ok()) << agents.status();
  return agents.ok() ? *std::move(agents) : nullptr;
}

std::string SpaceFor(AgentProcesses& agents, const std::string& name) {
  return testing::WriteTinySpace(name, {agents.address(0), agents.address(1)},
                                 {agents.address(2)});
}

int64_t Measurements(const std::string& db) {
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  if (!store.ok()) return -1;
  auto n = (*store)->MeasurementCount();
  return n.ok() ? *n : -1;
}

int Generations(const std::string& db) {
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  if (!store.ok()) return 0;
  auto last = (*store)->LastGeneration();
  return last.ok() && last->has_value() ? (*last)->number : 0;
}

// Waits until `ready` holds (polling) or the process ends; false if it ended first.
template <typename Ready>
bool WaitFor(StarProcess& star, Ready ready, std::chrono::milliseconds timeout = 120s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    if (!star.Running()) return false;
    std::this_thread::sleep_for(2ms);
  }
  return false;
}

TEST(CampaignKillTest, KilledAtRandomMomentsAndResumedEqualsUninterrupted) {
  const std::string dir = ::testing::TempDir();
  // The uninterrupted run, on its own agents (whose memory of requests must not help the
  // killed run).
  const std::string reference_log = dir + "kill_reference_measure.log";
  auto reference_agents = StartAgents(reference_log);
  ASSERT_NE(reference_agents, nullptr);
  const std::string reference_db = testing::FreshDbPath("kill_reference");
  {
    StarProcess star({"run", "--space", SpaceFor(*reference_agents, "kill_reference"), "--db",
                      reference_db, "--quiet"},
                     dir + "kill_reference_star.log");
    ASSERT_EQ(star.Wait(300s), 0);
  }
  const int64_t expected_measurements = Measurements(reference_db);
  ASSERT_GT(expected_measurements, 0);
  EXPECT_EQ(testing::ReadMeasureLog(reference_log).total_started(), expected_measurements);

  const std::string log = dir + "kill_measure.log";
  auto agents = StartAgents(log);
  ASSERT_NE(agents, nullptr);
  const std::string db = testing::FreshDbPath("kill");
  const std::string space = SpaceFor(*agents, "kill");
  const std::string star_log = dir + "kill_star.log";
  const unsigned seed = std::random_device()();
  std::mt19937 random(seed);
  SCOPED_TRACE(::testing::Message() << "kill-point seed " << seed);
  auto started = [&] { return testing::ReadMeasureLog(log).total_started(); };
  int kills = 0;

  // Kill 1: mid-measurement, after a random number of measurements started.
  {
    const int after = std::uniform_int_distribution<int>(2, 12)(random);
    StarProcess star({"run", "--space", space, "--db", db, "--quiet"}, star_log);
    ASSERT_TRUE(WaitFor(star, [&] { return started() >= after; }));
    star.Kill();
    ++kills;
    const auto log_now = testing::ReadMeasureLog(log);
    EXPECT_GT(log_now.total_started(), log_now.total_done()) << "not killed mid-measurement";
  }
  // Kill 2: just after generation 1 was committed (plus a random few milliseconds).
  {
    StarProcess star({"resume", "--db", db, "--quiet"}, star_log);
    ASSERT_TRUE(WaitFor(star, [&] { return Generations(db) >= 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(0, 30)(random)));
    star.Kill();
    ++kills;
  }
  // Kill 3 and 4: at a random time after resuming (startup, mid-generation, anywhere).
  for (int k = 0; k < 2; ++k) {
    StarProcess star({"resume", "--db", db, "--quiet"}, star_log);
    const int wait_ms = std::uniform_int_distribution<int>(20, 400)(random);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (star.Running() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(2ms);
    }
    if (!star.Running()) break;  // finished before the kill point
    star.Kill();
    ++kills;
  }
  EXPECT_GE(kills, 3);
  {
    StarProcess star({"resume", "--db", db, "--quiet"}, star_log);
    ASSERT_EQ(star.Wait(300s), 0) << std::ifstream(star_log).rdbuf();
  }

  EXPECT_EQ(testing::FinalPopulation(db), testing::FinalPopulation(reference_db));
  EXPECT_EQ(testing::FrontCsvOf(db), testing::FrontCsvOf(reference_db));
  EXPECT_EQ(Measurements(db), expected_measurements);
  // No architecture measured twice on a device: the measuring binary ran exactly as
  // often as the uninterrupted campaign needed (requests re-sent after a kill were
  // answered by the agents from their memory of the first).
  const auto measured = testing::ReadMeasureLog(log);
  EXPECT_EQ(measured.total_started(), expected_measurements);
  EXPECT_EQ(measured.total_done(), expected_measurements);
  for (const auto& [hash, count] : measured.started) {
    EXPECT_LE(count, 2) << hash << " measured " << count << " times (2 device classes)";
  }
}

TEST(CampaignKillTest, AgentKilledMidCampaignTheOtherAgentFinishes) {
  const std::string log = ::testing::TempDir() + "agent_kill_measure.log";
  auto agents = StartAgents(log);
  ASSERT_NE(agents, nullptr);
  const std::string db = testing::FreshDbPath("agent_kill");
  auto campaign = Campaign::Create(db, SpaceFor(*agents, "agent_kill"));
  ASSERT_TRUE(campaign.ok()) << campaign.status();
  absl::Status status;
  std::thread runner([&] { status = (*campaign)->Run({}); });
  // Kill laptop agent 0 once a few measurements have started.
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (testing::ReadMeasureLog(log).total_started() < 6 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(2ms);
  }
  const std::string killed = agents->address(0);
  agents->Kill(0);
  runner.join();
  ASSERT_TRUE(status.ok()) << status;

  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  ASSERT_TRUE(store.ok());
  auto last = (*store)->LastGeneration();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->number, 3);
  auto events = (*store)->AgentEvents();
  ASSERT_TRUE(events.ok());
  bool recorded = false;
  for (const auto& e : *events) recorded |= e.agent == killed && e.device_class == "laptop";
  EXPECT_TRUE(recorded) << "the store has no failure of " << killed;
  // Every admitted candidate was measured on both classes; later laptop work went to the
  // surviving agent.
  auto candidates = (*store)->Candidates();
  ASSERT_TRUE(candidates.ok());
  int admitted = 0;
  for (const auto& c : *candidates) admitted += c.rejected_reason.empty();
  auto measurements = (*store)->Measurements();
  ASSERT_TRUE(measurements.ok());
  EXPECT_EQ(static_cast<int>(measurements->size()), 2 * admitted);
  int by_survivor = 0;
  for (const auto& m : *measurements) by_survivor += m.agent == agents->address(1);
  EXPECT_GT(by_survivor, 0);
}

TEST(CampaignKillTest, CtrlCStopsCleanlyAndResumeFinishes) {
  const std::string dir = ::testing::TempDir();
  const std::string log = dir + "ctrl_c_measure.log";
  auto agents = StartAgents(log);
  ASSERT_NE(agents, nullptr);
  const std::string db = testing::FreshDbPath("ctrl_c");
  const std::string star_log = dir + "ctrl_c_star.log";
  std::filesystem::remove(star_log);
  {
    StarProcess star({"run", "--space", SpaceFor(*agents, "ctrl_c"), "--db", db}, star_log);
    ASSERT_TRUE(WaitFor(star, [&] { return testing::ReadMeasureLog(log).total_started() >= 4; }));
    star.Signal(SIGINT);
    EXPECT_EQ(star.Wait(60s), 130);
  }
  std::stringstream said;
  said << std::ifstream(star_log).rdbuf();
  EXPECT_NE(said.str().find("star resume --db " + db), std::string::npos) << said.str();
  // Measurements in flight were finished and stored, not abandoned.
  const auto at_stop = testing::ReadMeasureLog(log);
  EXPECT_EQ(at_stop.total_started(), at_stop.total_done());
  EXPECT_EQ(Measurements(db), at_stop.total_done());
  {
    StarProcess star({"resume", "--db", db, "--quiet"}, star_log);
    ASSERT_EQ(star.Wait(300s), 0);
  }
  EXPECT_EQ(Generations(db), 3);
  EXPECT_EQ(testing::ReadMeasureLog(log).total_started(), Measurements(db));
}

}  // namespace
}  // namespace nas::star
