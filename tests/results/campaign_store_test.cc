#include "results/campaign_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "results/sqlite_db.h"

namespace nas::results {
namespace {

std::string FreshPath(const std::string& name) {
  const std::string path = ::testing::TempDir() + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

CandidateRecord Candidate(const std::string& hash) {
  CandidateRecord c;
  c.hash = hash;
  c.genome = {3, 1, 4, 1, 5};
  c.spec.set_name("cand-" + hash);
  c.spec.set_d_model(64);
  c.parameters = 12345;
  c.first_generation = 2;
  return c;
}

TEST(CampaignStoreTest, RecordsSurviveReopeningAndAreVisibleToReaders) {
  const std::string path = FreshPath("store.db");
  {
    auto store = CampaignStore::Create(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->SetConfig("seed", "42").ok());
    ASSERT_TRUE((*store)->PutCandidate(Candidate("aa")).ok());
    CandidateRecord changed = Candidate("aa");
    changed.parameters = 1;
    ASSERT_TRUE((*store)->PutCandidate(changed).ok());  // the first record stays

    // A reader sees each record as soon as it is put (nothing waits for a later commit).
    auto reader = CampaignStore::Open(path, /*read_only=*/true);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ(*(*reader)->CandidateCount(), 1);

    MeasurementRecord m;
    m.candidate_hash = "aa";
    m.device_class = "laptop";
    m.protocol_key = "v1:abc";
    m.agent = "127.0.0.1:1";
    m.result.set_outcome(agent::MeasureResult::OK);
    m.result.set_peak_memory_bytes(999);
    m.generation = 2;
    ASSERT_TRUE((*store)->PutMeasurement(m).ok());
    m.result.set_peak_memory_bytes(1000);  // a later re-measurement wins
    ASSERT_TRUE((*store)->PutMeasurement(m).ok());
    EXPECT_EQ(*(*reader)->MeasurementCount(), 2);

    ASSERT_TRUE((*store)->PutEvaluation({"aa", "proxy", true, 0.5, "{}", ""}).ok());
    ASSERT_TRUE((*store)->PutGeneration({0, {"aa", "bb"}, "rng-0", 1.5, {}, {}}).ok());
    ASSERT_TRUE((*store)->PutGeneration({1, {"bb", "aa"}, "rng-1", 2.5, {}, {}}).ok());
    ASSERT_TRUE((*store)->PutAgentEvent({0, "laptop", "127.0.0.1:1", "quarantined", "3 failures"}).ok());
    ASSERT_TRUE((*store)->PutDrift({1, "LFM2-350M", "laptop", "decode_ms", 41.0, 40.0}).ok());
  }
  auto store = CampaignStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(**(*store)->Config("seed"), "42");
  EXPECT_FALSE((*store)->Config("missing")->has_value());
  auto c = (*store)->Candidate("aa");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->parameters, 12345u);
  EXPECT_EQ((*c)->genome, (std::vector<int32_t>{3, 1, 4, 1, 5}));
  EXPECT_EQ((*c)->spec.name(), "cand-aa");
  EXPECT_EQ((*c)->first_generation, 2);
  EXPECT_FALSE((*store)->Candidate("zz")->has_value());

  auto m = (*store)->FindMeasurement("aa", "laptop", "v1:abc");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->result.peak_memory_bytes(), 1000u);
  EXPECT_EQ((*m)->agent, "127.0.0.1:1");
  EXPECT_FALSE((*store)->FindMeasurement("aa", "phone", "v1:abc")->has_value());
  EXPECT_FALSE((*store)->FindMeasurement("aa", "laptop", "v2:abc")->has_value());

  auto e = (*store)->FindEvaluation("aa", "proxy");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_TRUE((*e)->is_proxy);
  EXPECT_DOUBLE_EQ((*e)->quality, 0.5);

  auto g = (*store)->LastGeneration();
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->number, 1);
  EXPECT_EQ((*g)->population, (std::vector<std::string>{"bb", "aa"}));
  EXPECT_EQ((*g)->rng_state, "rng-1");

  auto events = (*store)->AgentEvents();
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, "quarantined");
  EXPECT_GT((*events)[0].unix_ms, 0);
  EXPECT_EQ((*store)->Drift()->at(0).value, 41.0);
}

TEST(CampaignStoreTest, ClearErrors) {
  const std::string path = FreshPath("exists.db");
  ASSERT_TRUE(CampaignStore::Create(path).ok());
  auto again = CampaignStore::Create(path);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);

  auto missing = CampaignStore::Open(FreshPath("missing.db"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);

  const std::string junk = FreshPath("junk.db");
  std::ofstream(junk) << "this is not a database, just text that is long enough......";
  auto bad = CampaignStore::Open(junk);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(junk), std::string::npos) << bad.status();
}

TEST(CampaignStoreTest, GenerationsKeepStandingsExactlyIncludingInfiniteCrowding) {
  const std::string path = FreshPath("standings.db");
  auto store = CampaignStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.status();
  GenerationRecord g{1, {"aa", "bb", "cc"}, "rng-1", 0.25, {}, {}};
  g.ranks = {0, 0, 1};
  g.crowding = {std::numeric_limits<double>::infinity(), 0.1 + 0.2, 1.0 / 3.0};
  ASSERT_TRUE((*store)->PutGeneration(g).ok());
  ASSERT_TRUE((*store)->PutGeneration({2, {"bb"}, "rng-2", 0.5, {0}, {2.5}}).ok());
  auto all = (*store)->Generations();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].ranks, g.ranks);
  EXPECT_EQ((*all)[0].crowding, g.crowding);  // bit-exact, infinity included
  EXPECT_EQ((*all)[1].population, std::vector<std::string>{"bb"});
  EXPECT_EQ((*(*store)->LastGeneration())->crowding, std::vector<double>{2.5});
}

TEST(CampaignStoreTest, ReferenceRemeasurementsStayApartFromCandidateMeasurements) {
  const std::string path = FreshPath("drift.db");
  auto store = CampaignStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.status();
  MeasurementRecord m;
  m.candidate_hash = "ref";
  m.device_class = "laptop";
  m.protocol_key = "p1-x";
  m.result.set_peak_memory_bytes(100);
  m.generation = 1;
  ASSERT_TRUE((*store)->PutMeasurement(m).ok());
  m.is_reference = true;
  m.generation = 3;
  m.result.set_peak_memory_bytes(120);
  ASSERT_TRUE((*store)->PutMeasurement(m).ok());

  EXPECT_EQ((*(*store)->FindMeasurement("ref", "laptop", "p1-x"))->result.peak_memory_bytes(), 100u);
  auto drift = (*store)->FindReferenceMeasurement("ref", "laptop", "p1-x", 3);
  ASSERT_TRUE(drift.ok() && drift->has_value());
  EXPECT_EQ((*drift)->result.peak_memory_bytes(), 120u);
  EXPECT_TRUE((*drift)->is_reference);
  EXPECT_FALSE((*(*store)->FindReferenceMeasurement("ref", "laptop", "p1-x", 2)).has_value());
  auto all = (*store)->Measurements();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].generation, 3);
}

TEST(CampaignStoreTest, ListsCandidatesAndEvaluationsInTheOrderStored) {
  const std::string path = FreshPath("lists.db");
  auto store = CampaignStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const char* hash : {"zz", "aa", "mm"}) {
    ASSERT_TRUE((*store)->PutCandidate(Candidate(hash)).ok());
    ASSERT_TRUE((*store)->PutEvaluation({hash, "proxy", true, 0.5, "{}", ""}).ok());
  }
  auto candidates = (*store)->Candidates();
  ASSERT_TRUE(candidates.ok()) << candidates.status();
  ASSERT_EQ(candidates->size(), 3u);
  EXPECT_EQ((*candidates)[0].hash, "zz");
  EXPECT_EQ((*candidates)[2].hash, "mm");
  EXPECT_EQ((*candidates)[1].spec.name(), "cand-aa");
  auto evaluations = (*store)->Evaluations();
  ASSERT_TRUE(evaluations.ok());
  ASSERT_EQ(evaluations->size(), 3u);
  EXPECT_EQ((*evaluations)[1].candidate_hash, "aa");
}

TEST(CampaignStoreTest, FailuresAreKeptAndASchema2StoreIsReadAsItIsOrUpgraded) {
  const std::string path = FreshPath("schema2.db");
  {
    auto store = CampaignStore::Create(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutEvaluation({"aa", "proxy", true, 0.5, "{}", ""}).ok());
  }
  {
    // What schema 2 looked like: no failure column.
    auto db = Db::Open(path, /*create=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("ALTER TABLE evaluations DROP COLUMN failure; "
                            "PRAGMA user_version = 2")
                    .ok());
  }
  {
    auto reader = CampaignStore::Open(path, /*read_only=*/true);
    ASSERT_TRUE(reader.ok()) << reader.status();
    auto e = (*reader)->FindEvaluation("aa", "proxy");
    ASSERT_TRUE(e.ok() && e->has_value()) << e.status();
    EXPECT_EQ((*e)->quality, 0.5);
    EXPECT_EQ((*e)->failure, "");
    EXPECT_EQ((*reader)->Evaluations()->size(), 1u);
  }
  // Upgraded: failed evaluations keep their reason.
  auto writer = CampaignStore::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->PutEvaluation({"bb", "mad:1", false, 0, "{}", "diverged: NaN"}).ok());
  EXPECT_EQ((*(*writer)->FindEvaluation("bb", "mad:1"))->failure, "diverged: NaN");
  EXPECT_EQ((*(*writer)->FindEvaluation("aa", "proxy"))->failure, "");
  auto reopened = CampaignStore::Open(path, /*read_only=*/true);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto all = (*reopened)->Evaluations();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].failure, "");
  EXPECT_EQ((*all)[1].failure, "diverged: NaN");
}

}  // namespace
}  // namespace nas::results
