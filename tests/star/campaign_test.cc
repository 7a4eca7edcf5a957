// Campaigns against in-process fake agents (instant, deterministic figures from the cost
// model): the generation loop, what the store records, reuse, drift, stop and resume.
#include "star/campaign.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "star/campaign_snapshot.h"
#include "star/measure_requests.h"
#include "star/proxy_quality.h"
#include "tests/star/campaign_test_util.h"
#include "tests/liv/formats/lfm2_gguf_file.h"
#include "tests/star/fake_agent.h"

namespace nas::star {
namespace {

using testing::FakeAgent;

struct Fleet3 {
  FakeAgent laptop1, laptop2, phone;
  uint64_t calls() const { return laptop1.calls() + laptop2.calls() + phone.calls(); }
};

std::string Space(Fleet3& fleet, const std::string& name,
                  const std::function<void(SearchSpace&)>& edit = {}) {
  return testing::WriteTinySpace(name, {fleet.laptop1.address(), fleet.laptop2.address()},
                                 {fleet.phone.address()}, edit);
}

absl::Status RunNew(const std::string& space, const std::string& db,
                    const CampaignRunOptions& options = {}) {
  auto campaign = Campaign::Create(db, space);
  if (!campaign.ok()) return campaign.status();
  return (*campaign)->Run(options);
}

TEST(CampaignTest, RunsEveryGenerationAndRecordsEverything) {
  Fleet3 fleet;
  const std::string db = testing::FreshDbPath("campaign_full");
  const std::string space = Space(fleet, "campaign_full");
  absl::Status run;
  // The first laptop agent answers only once the second has a job: both take work.
  EXPECT_TRUE(testing::HoldAnswersUntil(
      {&fleet.laptop1}, [&] { return fleet.laptop2.calls() > 0; },
      [&] { run = RunNew(space, db); }));
  ASSERT_TRUE(run.ok()) << run;

  auto store = results::CampaignStore::Open(db, true);
  ASSERT_TRUE(store.ok());
  auto generations = (*store)->Generations();
  ASSERT_TRUE(generations.ok());
  ASSERT_EQ(generations->size(), 3u);
  for (const auto& g : *generations) {
    EXPECT_EQ(g.population.size(), 8u) << "generation " << g.number;
    EXPECT_EQ(g.ranks.size(), 8u);
    EXPECT_FALSE(g.rng_state.empty());
  }
  // Hypervolume of everything seen so far never shrinks.
  EXPECT_LE((*generations)[0].hypervolume, (*generations)[1].hypervolume);
  EXPECT_LE((*generations)[1].hypervolume, (*generations)[2].hypervolume);
  EXPECT_GT((*generations)[0].hypervolume, 0);

  auto candidates = (*store)->Candidates();
  ASSERT_TRUE(candidates.ok());
  // 8 per generation, each a distinct architecture.
  EXPECT_EQ(candidates->size(), 24u);
  std::set<std::string> hashes;
  int admitted = 0;
  for (const auto& c : *candidates) {
    hashes.insert(c.hash);
    admitted += c.rejected_reason.empty();
  }
  EXPECT_EQ(hashes.size(), 24u);
  // One measurement per admitted candidate and device class, each requested once.
  EXPECT_EQ(*(*store)->MeasurementCount(), 2 * admitted);
  EXPECT_EQ(fleet.calls(), static_cast<uint64_t>(2 * admitted));
  EXPECT_GT(fleet.laptop1.calls(), 0u);
  // Quality comes from the proxy and says so.
  auto evaluations = (*store)->Evaluations();
  ASSERT_TRUE(evaluations.ok());
  EXPECT_EQ(static_cast<int>(evaluations->size()), admitted);
  for (const auto& e : *evaluations) {
    EXPECT_TRUE(e.is_proxy);
    EXPECT_EQ(e.evaluator, kProxyEvaluatorName);
  }
  // The references seed generation 1 and are named.
  auto snapshot = LoadSnapshot(**store);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  std::set<std::string> references;
  for (const auto& c : snapshot->candidates) {
    if (!c.reference.empty()) {
      references.insert(c.reference);
      EXPECT_EQ(c.record.first_generation, 1);
    }
  }
  EXPECT_EQ(references, (std::set<std::string>{"tiny-hybrid", "tiny-transformer"}));
  EXPECT_TRUE(snapshot->complete);
  EXPECT_FALSE(snapshot->front.empty());
}

TEST(CampaignTest, SameSeedSameCampaign) {
  Fleet3 fleet;
  const std::string space = Space(fleet, "campaign_seed");
  const std::string a = testing::FreshDbPath("campaign_seed_a");
  const std::string b = testing::FreshDbPath("campaign_seed_b");
  ASSERT_TRUE(RunNew(space, a).ok());
  ASSERT_TRUE(RunNew(space, b).ok());
  EXPECT_EQ(testing::FinalPopulation(a), testing::FinalPopulation(b));
  EXPECT_EQ(testing::FrontCsvOf(a), testing::FrontCsvOf(b));

  const std::string other = Space(fleet, "campaign_seed_other",
                                  [](SearchSpace& s) { s.mutable_evolution()->set_seed(7); });
  const std::string c = testing::FreshDbPath("campaign_seed_c");
  ASSERT_TRUE(RunNew(other, c).ok());
  EXPECT_NE(testing::FinalPopulation(a), testing::FinalPopulation(c));
}

// Stops the campaign after `after` measurements, resumes it (as often as needed) and
// checks it ends exactly like an uninterrupted run, with no measurement requested twice.
void StopAndResume(int after, const std::string& name) {
  Fleet3 fleet;
  const std::string space = Space(fleet, name);
  const std::string reference_db = testing::FreshDbPath(name + "_ref");
  ASSERT_TRUE(RunNew(space, reference_db).ok());
  const uint64_t uninterrupted_calls = fleet.calls();

  const std::string db = testing::FreshDbPath(name);
  auto campaign = Campaign::Create(db, space);
  ASSERT_TRUE(campaign.ok());
  CampaignRunOptions options;
  int done = 0;
  Campaign* raw = campaign->get();
  options.on_progress = [&](const CampaignProgress& p) {
    if (p.jobs_done > 0 && ++done == after) raw->Stop();
  };
  absl::Status first = (*campaign)->Run(options);
  EXPECT_EQ(first.code(), absl::StatusCode::kCancelled) << first;
  campaign->reset();  // closes the store as a crash would leave it

  auto resumed = Campaign::Open(db);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE((*resumed)->Run({}).ok());
  EXPECT_EQ(testing::FinalPopulation(db), testing::FinalPopulation(reference_db));
  EXPECT_EQ(testing::FrontCsvOf(db), testing::FrontCsvOf(reference_db));
  // The resumed campaign asked for exactly what the uninterrupted one did.
  EXPECT_EQ(fleet.calls(), 2 * uninterrupted_calls);
  auto store = results::CampaignStore::Open(db, true);
  EXPECT_EQ(*(*store)->MeasurementCount(), static_cast<int64_t>(uninterrupted_calls));
}

TEST(CampaignTest, StopInTheFirstGenerationThenResume) { StopAndResume(3, "campaign_stop3"); }
TEST(CampaignTest, StopInALaterGenerationThenResume) { StopAndResume(20, "campaign_stop20"); }

TEST(CampaignTest, ResumingACompleteCampaignDoesNothing) {
  Fleet3 fleet;
  const std::string db = testing::FreshDbPath("campaign_complete");
  ASSERT_TRUE(RunNew(Space(fleet, "campaign_complete"), db).ok());
  const uint64_t calls = fleet.calls();
  auto again = Campaign::Open(db);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Run({}).ok());
  EXPECT_EQ(fleet.calls(), calls);
  EXPECT_EQ(Campaign::Create(db, Space(fleet, "campaign_complete")).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(CampaignTest, ReusesMeasurementsOfAnotherCampaign) {
  Fleet3 fleet;
  const std::string space = Space(fleet, "campaign_reuse");
  const std::string first = testing::FreshDbPath("campaign_reuse_1");
  ASSERT_TRUE(RunNew(space, first).ok());
  const uint64_t calls = fleet.calls();
  const std::string second = testing::FreshDbPath("campaign_reuse_2");
  CampaignRunOptions options;
  options.reuse_from = {first};
  ASSERT_TRUE(RunNew(space, second, options).ok());
  EXPECT_EQ(fleet.calls(), calls);  // nothing measured again
  EXPECT_EQ(testing::FrontCsvOf(first), testing::FrontCsvOf(second));
}

TEST(CampaignTest, ReferencesAreRemeasuredAndTheirDriftRecorded) {
  Fleet3 fleet;
  const std::string db = testing::FreshDbPath("campaign_drift");
  ASSERT_TRUE(RunNew(Space(fleet, "campaign_drift",
                           [](SearchSpace& s) {
                             s.mutable_evolution()->set_reference_remeasure_every(1);
                           }),
                     db)
                  .ok());
  auto store = results::CampaignStore::Open(db, true);
  auto drift = (*store)->Drift();
  ASSERT_TRUE(drift.ok());
  // Generations 2 and 3, 2 references, 2 classes; the tiny protocol has decode depths 0
  // and 64 and prompt length 64: 4 metrics per re-measurement.
  EXPECT_EQ(drift->size(), 2u * 2u * 2u * 4u);
  std::set<int> generations;
  for (const auto& d : *drift) {
    generations.insert(d.generation);
    EXPECT_DOUBLE_EQ(d.value, d.baseline) << d.metric;  // the fake device does not drift
  }
  EXPECT_EQ(generations, (std::set<int>{2, 3}));
  // The re-measurements do not replace the candidates' own measurements.
  auto measurements = (*store)->Measurements();
  int references = 0;
  for (const auto& m : *measurements) references += m.is_reference;
  EXPECT_EQ(references, 2 * 2 * 2);
}

TEST(CampaignTest, AGgufReferenceIsMeasuredAsItsFile) {
  const std::string models = ::testing::TempDir() + "campaign-gguf-models";
  std::filesystem::create_directories(models);
  ASSERT_TRUE(
      liv::testing::WriteTinyLfm2Gguf(models + "/tiny-lfm2.gguf", liv::GgmlType::kQ8_0).ok());
  Fleet3 fleet;
  for (FakeAgent* agent : {&fleet.laptop1, &fleet.laptop2, &fleet.phone}) {
    agent->set_models_dir(models);
  }
  const std::string db = testing::FreshDbPath("campaign_gguf");
  ASSERT_TRUE(RunNew(Space(fleet, "campaign_gguf",
                           [](SearchSpace& s) {
                             Reference* first = s.mutable_references(0);  // tiny-hybrid
                             first->Clear();
                             first->set_gguf("campaign-gguf-models/tiny-lfm2.gguf");
                             s.mutable_evolution()->set_reference_remeasure_every(1);
                           }),
                     db)
                  .ok());
  // Generation 1 measures it on both classes, generations 2 and 3 re-measure it: always
  // as the file (with its fingerprint), in the file's weight type; every other request is
  // a spec in the space's.
  const std::string fingerprint = liv::testing::FileFingerprint(models + "/tiny-lfm2.gguf");
  std::map<std::string, int> gguf_requests;  // per class
  for (FakeAgent* agent : {&fleet.laptop1, &fleet.laptop2, &fleet.phone}) {
    const std::string device = agent == &fleet.phone ? "phone" : "laptop";
    for (const agent::MeasureRequest& r : agent->requests()) {
      if (r.has_gguf()) {
        ++gguf_requests[device];
        EXPECT_EQ(r.gguf(), "tiny-lfm2.gguf");
        EXPECT_EQ(r.weight_type(), "q8_0");
        EXPECT_EQ(r.gguf_fingerprint(), fingerprint);
      } else {
        EXPECT_TRUE(r.has_spec());
        EXPECT_EQ(r.weight_type(), "f32");
      }
    }
  }
  EXPECT_EQ(gguf_requests, (std::map<std::string, int>{{"laptop", 3}, {"phone", 3}}));

  auto store = results::CampaignStore::Open(db, true);
  ASSERT_TRUE(store.ok()) << store.status();
  auto snapshot = LoadSnapshot(**store);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  std::set<std::string> references;
  for (const auto& c : snapshot->candidates) {
    if (c.reference.empty()) continue;
    references.insert(c.reference);
    if (c.reference == "tiny-lfm2") {
      EXPECT_EQ(c.facts.spec.layers_size(), 6);
      EXPECT_EQ(c.facts.measurements.size(), 2u);  // laptop and phone
    }
  }
  EXPECT_EQ(references, (std::set<std::string>{"tiny-lfm2", "tiny-transformer"}));
}

// One candidate per architecture: a checkpoint of the same architecture as another
// reference would share its measurements, so the campaign refuses it.
TEST(CampaignTest, ACheckpointMayNotShareItsArchitectureWithAnotherReference) {
  const std::string models = ::testing::TempDir() + "campaign-gguf-twin";
  std::filesystem::create_directories(models);
  Fleet3 fleet;
  const std::string db = testing::FreshDbPath("campaign_gguf_twin");
  ArchSpec hybrid;
  const std::string space = Space(fleet, "campaign_gguf_twin", [&](SearchSpace& s) {
    hybrid = s.references(0).spec();  // tiny-hybrid
    Reference* twin = s.add_references();
    twin->set_gguf("campaign-gguf-twin/tiny-hybrid-q8.gguf");
  });
  ASSERT_TRUE(liv::testing::WriteLfm2Gguf(hybrid, models + "/tiny-hybrid-q8.gguf",
                                          liv::GgmlType::kQ8_0)
                  .ok());
  const absl::Status status = RunNew(space, db);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message())
                .find("references tiny-hybrid and tiny-hybrid-q8 have the same architecture"),
            std::string::npos)
      << status;
}

TEST(CampaignTest, CheapConstraintRejectsBeforeMeasuring) {
  Fleet3 fleet;
  const std::string db = testing::FreshDbPath("campaign_cheap");
  ASSERT_TRUE(RunNew(Space(fleet, "campaign_cheap",
                           [](SearchSpace& s) {
                             s.mutable_budgets()->set_max_parameters(150000);
                           }),
                     db)
                  .ok());
  auto store = results::CampaignStore::Open(db, true);
  std::set<std::string> references;
  for (const char* name : {"tiny-hybrid", "tiny-transformer"}) {
    references.insert(**(*store)->Config(std::string(kConfigReferencePrefix) + name));
  }
  std::set<std::string> measured;
  auto measurements = (*store)->Measurements();
  auto candidates = (*store)->Candidates();
  ASSERT_TRUE(measurements.ok() && candidates.ok());
  for (const auto& m : *measurements) measured.insert(m.candidate_hash);
  int rejected = 0;
  for (const auto& c : *candidates) {
    if (c.rejected_reason.empty()) continue;
    EXPECT_GT(c.parameters, 150000u);
    EXPECT_NE(c.rejected_reason.find("150000"), std::string::npos) << c.rejected_reason;
    if (references.contains(c.hash)) {
      EXPECT_TRUE(measured.contains(c.hash));  // references are measured regardless
    } else {
      ++rejected;
      EXPECT_FALSE(measured.contains(c.hash)) << "rejected candidate " << c.hash << " was measured";
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(CampaignTest, ClassWithoutAgentsStopsResumably) {
  Fleet3 fleet;
  const std::string space = Space(fleet, "campaign_noagent");
  fleet.phone.Shutdown();
  const std::string db = testing::FreshDbPath("campaign_noagent");
  CampaignRunOptions options;
  options.fleet.quarantine_after = 2;
  absl::Status status = RunNew(space, db, options);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("phone"), std::string::npos) << status;
  auto store = results::CampaignStore::Open(db, true);
  auto events = (*store)->AgentEvents();
  ASSERT_TRUE(events.ok());
  bool quarantined = false;
  for (const auto& e : *events) quarantined |= e.kind == "quarantined" && e.device_class == "phone";
  EXPECT_TRUE(quarantined);
  EXPECT_FALSE((*store)->LastGeneration()->has_value());  // generation 1 never committed
}

}  // namespace
}  // namespace nas::star
