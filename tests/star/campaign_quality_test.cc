// Campaigns whose quality comes from a trained evaluator, against in-process fake agents:
// a fake in-process trainer (kind MAD) and real Evaluator services around fake trainers
// (kind SERVICE). Failed evaluations are results that never stop a campaign; a resumed
// campaign evaluates nothing twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "evaluator/evaluator_service.h"
#include "google/protobuf/util/json_util.h"
#include "star/campaign.h"
#include "star/campaign_snapshot.h"
#include "tests/evaluator/fake_trainer.h"
#include "tests/star/campaign_test_util.h"
#include "tests/star/fake_agent.h"

namespace nas::star {
namespace {

using eval::testing::FakeTrainer;
using testing::FakeAgent;
using Behaviour = FakeTrainer::Behaviour;

// Some candidates diverge, some fail, the rest train: decided by the spec alone, so every
// run decides alike.
Behaviour Mixed(const eval::EvaluateRequest& request) {
  const double q = FakeTrainer::QualityOf(request.spec());
  if (q < 0.2) return Behaviour::kDiverge;
  if (q < 0.3) return Behaviour::kFail;
  return Behaviour::kOk;
}

class CampaignQualityTest : public ::testing::Test {
 protected:
  std::string Space(const std::string& name, const std::string& evaluator_kind = "MAD",
                    const std::vector<std::string>& addresses = {}) {
    return testing::WriteTinySpace(
        name, {laptop_.address()}, {phone_.address()}, [&](SearchSpace& s) {
          Evaluator* e = s.mutable_evaluator();
          e->Clear();
          Evaluator::Kind kind;
          ASSERT_TRUE(Evaluator::Kind_Parse(evaluator_kind, &kind));
          e->set_kind(kind);
          for (const std::string& a : addresses) e->add_addresses(a);
          e->set_seed(3);
          e->mutable_training()->add_tasks("in_context_recall");
          e->mutable_training()->mutable_budget()->set_steps(20);
        });
  }

  CampaignRunOptions Options(FakeTrainer& trainer) {
    CampaignRunOptions options;
    options.quality.local = trainer.fn();
    return options;
  }

  absl::Status RunNew(const std::string& space, const std::string& db,
                      const CampaignRunOptions& options) {
    auto campaign = Campaign::Create(db, space, options.quality);
    if (!campaign.ok()) return campaign.status();
    return (*campaign)->Run(options);
  }

  // Admitted candidates (those a campaign evaluates).
  static int Admitted(results::CampaignStore& store) {
    int admitted = 0;
    const auto candidates = store.Candidates();
    EXPECT_TRUE(candidates.ok()) << candidates.status();
    for (const auto& c : candidates.value()) admitted += c.rejected_reason.empty();
    return admitted;
  }

  FakeAgent laptop_, phone_;
};

TEST_F(CampaignQualityTest, QualityComesFromTheTrainerAndFailedEvaluationsAreRecorded) {
  FakeTrainer trainer;
  trainer.set_behaviour(Mixed);
  const std::string space = Space("quality_mad");
  const std::string db = testing::FreshDbPath("quality_mad");
  ASSERT_TRUE(RunNew(space, db, Options(trainer)).ok());

  auto store = results::CampaignStore::Open(db, true);
  ASSERT_TRUE(store.ok());
  auto snapshot = LoadSnapshot(**store);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_TRUE(snapshot->complete);
  const std::string name = QualityEvaluatorName(snapshot->space);
  EXPECT_EQ(name.rfind("mad:", 0), 0u) << name;
  std::map<std::string, ArchSpec> specs;
  const auto candidates = (*store)->Candidates();
  ASSERT_TRUE(candidates.ok());
  for (const auto& c : *candidates) specs[c.hash] = c.spec;

  auto evaluations = (*store)->Evaluations();
  ASSERT_TRUE(evaluations.ok());
  EXPECT_EQ(static_cast<int>(evaluations->size()), Admitted(**store));
  EXPECT_EQ(trainer.calls(), Admitted(**store));  // each admitted candidate once
  int failed = 0, scored = 0;
  std::set<std::string> failed_hashes;
  for (const auto& e : *evaluations) {
    EXPECT_EQ(e.evaluator, name);
    EXPECT_FALSE(e.is_proxy);
    eval::EvaluationResult result;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.metrics_json, &result).ok())
        << e.metrics_json;
    EXPECT_EQ(result.seed(), 3u);
    EXPECT_EQ(result.settings().tasks(0), "in_context_recall");
    if (e.failure.empty()) {
      ++scored;
      EXPECT_DOUBLE_EQ(e.quality, FakeTrainer::QualityOf(specs[e.candidate_hash]));
    } else {
      ++failed;
      failed_hashes.insert(e.candidate_hash);
      EXPECT_TRUE(e.failure == "diverged: loss became NaN at step 7" ||
                  e.failure == "failed: fake failure")
          << e.failure;
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(scored, 0);
  // A candidate without a score is infeasible, with its reason, and never on the front.
  int seen_failed = 0;
  for (size_t i = 0; i < snapshot->candidates.size(); ++i) {
    const StoredCandidate& c = snapshot->candidates[i];
    if (!failed_hashes.contains(c.record.hash)) continue;
    ++seen_failed;
    EXPECT_FALSE(c.evaluation.feasible()) << c.record.hash;
    EXPECT_FALSE(c.facts.quality.has_value());
    EXPECT_FALSE(c.facts.quality_failure.empty());
    EXPECT_EQ(std::count(snapshot->front.begin(), snapshot->front.end(), static_cast<int>(i)), 0);
  }
  EXPECT_EQ(seen_failed, failed);
  EXPECT_FALSE(snapshot->front.empty());
  // The objective says whose scores these are.
  EXPECT_NE(snapshot->objective_names[0].find("[" + name + "]"), std::string::npos)
      << snapshot->objective_names[0];
}

TEST_F(CampaignQualityTest, AResumedCampaignEvaluatesNothingTwice) {
  const std::string space = Space("quality_resume");
  FakeTrainer reference_trainer;
  reference_trainer.set_behaviour(Mixed);
  const std::string reference_db = testing::FreshDbPath("quality_resume_ref");
  ASSERT_TRUE(RunNew(space, reference_db, Options(reference_trainer)).ok());
  // Resuming a complete campaign trains nothing.
  {
    auto again = Campaign::Open(reference_db);
    ASSERT_TRUE(again.ok());
    ASSERT_TRUE((*again)->Run(Options(reference_trainer)).ok());
  }
  const int uninterrupted_calls = reference_trainer.calls();

  // Stopped after 3 evaluations of the first generation, then resumed.
  FakeTrainer trainer;
  trainer.set_behaviour(Mixed);
  const std::string db = testing::FreshDbPath("quality_resume");
  auto campaign = Campaign::Create(db, space, Options(trainer).quality);
  ASSERT_TRUE(campaign.ok()) << campaign.status();
  CampaignRunOptions options = Options(trainer);
  Campaign* raw = campaign->get();
  options.on_progress = [&](const CampaignProgress& p) {
    if (p.evaluations_done == 3) raw->Stop();
  };
  EXPECT_EQ((*campaign)->Run(options).code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(trainer.calls(), 3);
  campaign->reset();
  auto resumed = Campaign::Open(db);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE((*resumed)->Run(Options(trainer)).ok());

  EXPECT_EQ(trainer.calls(), uninterrupted_calls);
  auto store = results::CampaignStore::Open(db, true);
  EXPECT_EQ(static_cast<int>((*store)->Evaluations()->size()), uninterrupted_calls);
  EXPECT_EQ(testing::FinalPopulation(db), testing::FinalPopulation(reference_db));
  EXPECT_EQ(testing::FrontCsvOf(db), testing::FrontCsvOf(reference_db));
}

TEST_F(CampaignQualityTest, AnInProcessKindIsRefusedBeforeCreatingAnythingWithoutATrainer) {
  const std::string db = testing::FreshDbPath("quality_no_trainer");
  auto campaign = Campaign::Create(db, Space("quality_no_trainer"));
  EXPECT_EQ(campaign.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(campaign.status().message().find("this build has no in-process evaluator"),
            std::string::npos)
      << campaign.status();
  EXPECT_FALSE(std::filesystem::exists(db));
}

// An Evaluator service on 127.0.0.1 around a fake trainer.
struct Service {
  Service() {
    auto started = eval::EvaluatorServer::Start(trainer.fn(), {});
    EXPECT_TRUE(started.ok()) << started.status();
    server = std::move(started).value();
  }
  FakeTrainer trainer;
  std::unique_ptr<eval::EvaluatorServer> server;
};

std::string DeadAddress() {
  Service gone;
  const std::string address = gone.server->address();
  gone.server->Shutdown(std::chrono::milliseconds(0));
  return address;
}

TEST_F(CampaignQualityTest, ServiceFailuresAreRecordedAndTheOtherServiceFinishes) {
  Service live;
  const std::string dead = DeadAddress();
  const std::string space = Space("quality_service", "SERVICE", {dead, live.server->address()});
  const std::string db = testing::FreshDbPath("quality_service");
  CampaignRunOptions options;
  options.quality.service.quarantine_after = 2;
  ASSERT_TRUE(RunNew(space, db, options).ok());
  auto store = results::CampaignStore::Open(db, true);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(static_cast<int>((*store)->Evaluations()->size()), Admitted(**store));
  EXPECT_EQ(live.trainer.calls(), Admitted(**store));
  const auto evaluations = (*store)->Evaluations();
  ASSERT_TRUE(evaluations.ok());
  for (const auto& e : *evaluations) {
    EXPECT_EQ(e.failure, "");
    EXPECT_EQ(e.evaluator.rfind("service-mad:", 0), 0u) << e.evaluator;
  }
  auto events = (*store)->AgentEvents();
  ASSERT_TRUE(events.ok());
  int failures = 0, quarantines = 0;
  for (const auto& e : *events) {
    EXPECT_EQ(e.device_class, "evaluator");
    EXPECT_EQ(e.agent, dead);
    failures += e.kind == "failure";
    quarantines += e.kind == "quarantined";
  }
  EXPECT_EQ(failures, 2);
  EXPECT_EQ(quarantines, 1);
}

// The ETA counts the trained evaluations, not only the measurements: the fake agents answer
// at once, the trainer takes at least 150 ms an evaluation, one at a time.
TEST_F(CampaignQualityTest, TheEtaCountsTheEvaluationsLeft) {
  FakeTrainer trainer;
  const eval::EvaluateFn fake = trainer.fn();
  CampaignRunOptions options;
  options.quality.local = [&](const eval::EvaluateRequest& request,
                              const eval::EvaluateOptions& o) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return fake(request, o);
  };
  std::mutex mutex;
  std::vector<CampaignProgress> seen;
  options.on_progress = [&](const CampaignProgress& p) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(p);
  };
  ASSERT_TRUE(RunNew(Space("quality_eta"), testing::FreshDbPath("quality_eta"), options).ok());

  const CampaignProgress* gen2_first_known = nullptr;
  for (const CampaignProgress& p : seen) {
    if (p.generation == 1 && p.evaluations_total == 0) {
      // Measuring generation 1: no evaluation has been timed yet.
      EXPECT_EQ(p.eta_seconds, -1) << p.message;
    }
    if (p.generation == 2 && p.eta_seconds >= 0 && gen2_first_known == nullptr) {
      gen2_first_known = &p;
    }
  }
  ASSERT_NE(gen2_first_known, nullptr);
  // Generation 3's 8 candidates are still to be evaluated, at >= 0.15 s each.
  EXPECT_GE(gen2_first_known->eta_seconds, 8 * 0.15) << gen2_first_known->message;
  // The last evaluation of the campaign leaves nothing to do.
  const CampaignProgress& last_evaluation = *std::find_if(
      seen.rbegin(), seen.rend(), [](const CampaignProgress& p) {
        return p.evaluations_total > 0 && p.evaluations_done == p.evaluations_total;
      });
  EXPECT_EQ(last_evaluation.generation, 3);
  EXPECT_EQ(last_evaluation.eta_seconds, 0) << last_evaluation.message;
}

TEST_F(CampaignQualityTest, WithNoServiceLeftTheCampaignStopsResumably) {
  const std::string dead = DeadAddress();
  const std::string space = Space("quality_no_service", "SERVICE", {dead});
  const std::string db = testing::FreshDbPath("quality_no_service");
  CampaignRunOptions options;
  options.quality.service.quarantine_after = 1;
  const absl::Status status = RunNew(space, db, options);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("every evaluator service is quarantined"), std::string::npos)
      << status;
  EXPECT_NE(status.message().find("star resume"), std::string::npos) << status;
  auto store = results::CampaignStore::Open(db, true);
  EXPECT_TRUE((*store)->Evaluations()->empty());  // nothing was learnt of the candidates
  EXPECT_FALSE((*store)->LastGeneration()->has_value());
}

}  // namespace
}  // namespace nas::star
