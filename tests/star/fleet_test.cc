// Dispatch over a fleet of (simulated and real) agents on loopback.
#include "star/fleet.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "tests/star/fake_agent.h"

namespace nas::star {
namespace {

using testing::FakeAgent;
using testing::HoldAnswersUntil;

std::vector<MeasureJob> Jobs(int n, const std::vector<std::string>& classes) {
  std::vector<MeasureJob> jobs;
  for (int i = 0; i < n; ++i) {
    MeasureJob job;
    job.id = static_cast<uint64_t>(i);
    job.device_class = classes[i % classes.size()];
    job.request.set_request_id("job-" + std::to_string(i));
    job.request.set_preset("lfm2-350m");
    job.request.set_deadline_seconds(5);
    jobs.push_back(job);
  }
  return jobs;
}

struct Collected {
  std::map<uint64_t, JobResult> results;
  std::vector<AgentEvent> events;
  int duplicates = 0;
};

Collected RunAll(Fleet& fleet, std::vector<MeasureJob> jobs) {
  Collected c;
  fleet.Run(
      std::move(jobs),
      [&](const JobResult& r) {
        if (!c.results.emplace(r.id, r).second) ++c.duplicates;
      },
      [&](const AgentEvent& e) { c.events.push_back(e); });
  return c;
}

TEST(FleetTest, EveryJobIsMeasuredOnceByAnAgentOfItsClass) {
  FakeAgent l1, l2, p1, p2;
  const std::vector<FakeAgent*> all = {&l1, &l2, &p1, &p2};
  FleetOptions options;
  options.call_slack = std::chrono::seconds(60);  // held calls outlive HoldAnswersUntil's wait
  Fleet fleet({{"laptop", l1.address(), ""},
               {"laptop", l2.address(), ""},
               {"phone", p1.address(), ""},
               {"phone", p2.address(), ""}},
              options);
  Collected c;
  // With every answer held, each agent gets a job: all four are busy at once.
  EXPECT_TRUE(HoldAnswersUntil(
      all,
      [&] {
        for (FakeAgent* a : all) {
          if (a->calls() == 0) return false;
        }
        return true;
      },
      [&] {
        c = RunAll(fleet, Jobs(40, {"laptop", "phone"}));
      }))
      << "an agent got no job while the others were busy";
  ASSERT_EQ(c.results.size(), 40u);
  EXPECT_EQ(c.duplicates, 0);
  const std::set<std::string> laptops = {l1.address(), l2.address()};
  for (const auto& [id, r] : c.results) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.result.outcome(), agent::MeasureResult::OK);
    EXPECT_EQ(r.result.request_id(), "job-" + std::to_string(id));
    EXPECT_EQ(laptops.count(r.agent) == 1, r.device_class == "laptop");
  }
  EXPECT_EQ(l1.calls() + l2.calls(), 20u);
  EXPECT_EQ(p1.calls() + p2.calls(), 20u);
  EXPECT_TRUE(c.events.empty());
}

TEST(FleetTest, AFailingAgentIsQuarantinedAndItsJobsGoElsewhere) {
  FakeAgent healthy, broken(FakeAgent::Mode::kUnavailable);
  FleetOptions options;
  options.quarantine_after = 3;
  Fleet fleet({{"laptop", broken.address(), ""}, {"laptop", healthy.address(), ""}}, options);
  Collected c;
  // The healthy agent answers only once the broken one has failed three times.
  EXPECT_TRUE(HoldAnswersUntil(
      {&healthy}, [&] { return fleet.Agents()[0].quarantined; },
      [&] { c = RunAll(fleet, Jobs(12, {"laptop"})); }));
  ASSERT_EQ(c.results.size(), 12u);
  for (const auto& [id, r] : c.results) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.agent, healthy.address());
  }
  EXPECT_EQ(broken.calls(), 3u);
  int failures = 0, quarantines = 0;
  for (const AgentEvent& e : c.events) {
    EXPECT_EQ(e.agent, broken.address());
    failures += e.kind == AgentEventKind::kFailure;
    quarantines += e.kind == AgentEventKind::kQuarantined;
  }
  EXPECT_EQ(failures, 3);
  EXPECT_EQ(quarantines, 1);
  const auto agents = fleet.Agents();
  EXPECT_TRUE(agents[0].quarantined);
  EXPECT_FALSE(agents[1].quarantined);
  EXPECT_EQ(agents[1].completed, 12u);
}

TEST(FleetTest, AVanishedAgentsJobsGoToAnotherAgent) {
  FakeAgent stays(FakeAgent::Mode::kOk, std::chrono::milliseconds(5));
  auto leaves = std::make_unique<FakeAgent>(FakeAgent::Mode::kOk, std::chrono::milliseconds(5));
  const std::string gone = leaves->address();
  leaves->Shutdown();
  Fleet fleet({{"laptop", gone, ""}, {"laptop", stays.address(), ""}}, {});
  Collected c = RunAll(fleet, Jobs(10, {"laptop"}));
  ASSERT_EQ(c.results.size(), 10u);
  for (const auto& [id, r] : c.results) EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(stays.calls(), 10u);
  EXPECT_FALSE(c.events.empty());
}

TEST(FleetTest, JobsFailWhenNoAgentOfTheirClassIsLeft) {
  FakeAgent broken(FakeAgent::Mode::kUnavailable), phone;
  FleetOptions options;
  options.quarantine_after = 2;
  Fleet fleet({{"laptop", broken.address(), ""}, {"phone", phone.address(), ""}}, options);
  Collected c = RunAll(fleet, Jobs(6, {"laptop", "phone", "watch"}));
  ASSERT_EQ(c.results.size(), 6u);
  for (const auto& [id, r] : c.results) {
    if (r.device_class == "phone") {
      EXPECT_TRUE(r.status.ok());
    } else if (r.device_class == "watch") {
      EXPECT_EQ(r.status.message(), "no agent of class watch is available");
    } else {
      EXPECT_EQ(r.status.code(), absl::StatusCode::kUnavailable);
      EXPECT_NE(r.status.message().find("laptop"), std::string::npos) << r.status;
    }
  }
}

TEST(FleetTest, InvalidRequestsFailTheJobNotTheAgent) {
  FakeAgent picky(FakeAgent::Mode::kInvalidArgument);
  Fleet fleet({{"laptop", picky.address(), ""}}, {});
  Collected c = RunAll(fleet, Jobs(5, {"laptop"}));
  ASSERT_EQ(c.results.size(), 5u);
  for (const auto& [id, r] : c.results) {
    EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.attempts, 1);
  }
  EXPECT_FALSE(fleet.Agents()[0].quarantined);
}

TEST(FleetTest, DrivesSixtyFourSimulatedAgents) {
  std::vector<std::unique_ptr<FakeAgent>> fakes;
  std::vector<AgentAddress> addresses;
  for (int i = 0; i < 64; ++i) {
    fakes.push_back(std::make_unique<FakeAgent>());
    addresses.push_back({i % 2 ? "laptop" : "phone", fakes.back()->address(), ""});
  }
  Fleet fleet(addresses, {});
  std::vector<FakeAgent*> all;
  for (const auto& f : fakes) all.push_back(f.get());
  const auto used = [&] {
    size_t n = 0;
    for (const auto& f : fakes) n += f->calls() > 0;
    return n;
  };
  Collected c;
  // With every answer held, all 64 agents get a job at once.
  EXPECT_TRUE(HoldAnswersUntil(
      all, [&] { return used() == fakes.size(); },
      [&] {
        c = RunAll(fleet, Jobs(1000, {"laptop", "phone"}));
      }))
      << used() << " of 64 agents got a job";
  ASSERT_EQ(c.results.size(), 1000u);
  EXPECT_EQ(c.duplicates, 0);
  for (const auto& [id, r] : c.results) EXPECT_TRUE(r.status.ok()) << r.status;
}

TEST(FleetTest, JobsGoBackToTheAgentTheyWereSentToBefore) {
  FakeAgent first, second;
  Fleet fleet({{"laptop", first.address(), ""}, {"laptop", second.address(), ""}}, {});
  std::vector<MeasureJob> jobs = Jobs(10, {"laptop"});
  for (int i = 0; i < 6; ++i) jobs[i].preferred_agent = second.address();
  std::map<uint64_t, std::string> dispatched;
  std::mutex mutex;
  Collected c;
  // While the second agent is busy with its first job, the first agent takes every job
  // without a preference and none of the second's.
  EXPECT_TRUE(HoldAnswersUntil(
      {&second}, [&] { return first.calls() == 4; },
      [&] {
        fleet.Run(
            jobs, [&](const JobResult& r) { c.results.emplace(r.id, r); }, {},
            [&](const MeasureJob& job, const std::string& agent) {
              std::lock_guard<std::mutex> lock(mutex);
              dispatched[job.id] = agent;
            });
      }));
  ASSERT_EQ(c.results.size(), 10u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(c.results[i].agent, second.address()) << "job " << i;
    EXPECT_EQ(dispatched[i], second.address());
  }
  for (int i = 6; i < 10; ++i) EXPECT_EQ(c.results[i].agent, first.address()) << "job " << i;
  EXPECT_EQ(first.calls(), 4u);
  EXPECT_EQ(dispatched.size(), 10u);
}

TEST(FleetTest, APreferredAgentThatIsGoneDoesNotHoldItsJobs) {
  FakeAgent stays;
  Fleet fleet({{"laptop", stays.address(), ""}}, {});
  std::vector<MeasureJob> jobs = Jobs(4, {"laptop"});
  for (MeasureJob& job : jobs) job.preferred_agent = "127.0.0.1:1";  // not in the fleet
  Collected c = RunAll(fleet, jobs);
  ASSERT_EQ(c.results.size(), 4u);
  for (const auto& [id, r] : c.results) EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(stays.calls(), 4u);
}

}  // namespace
}  // namespace nas::star
