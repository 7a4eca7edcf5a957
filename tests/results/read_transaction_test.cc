// CampaignStore::BeginRead: a reader inside a read transaction keeps seeing the records
// committed when it began while a writer adds more; after it ends, it sees them.
#include <gtest/gtest.h>

#include <filesystem>

#include "results/campaign_store.h"

namespace nas::results {
namespace {

CandidateRecord Candidate(const std::string& hash) {
  CandidateRecord c;
  c.hash = hash;
  c.spec.set_name(hash);
  c.parameters = 7;
  return c;
}

TEST(ReadTransactionTest, ReaderSeesOneSnapshotWhileAWriterAddsRecords) {
  const std::string path = ::testing::TempDir() + "read_transaction.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto writer = CampaignStore::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->PutCandidate(Candidate("a")).ok());
  auto reader = CampaignStore::Open(path, /*read_only=*/true);
  ASSERT_TRUE(reader.ok()) << reader.status();
  {
    auto snapshot = (*reader)->BeginRead();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    ASSERT_TRUE((*writer)->PutCandidate(Candidate("b")).ok());
    EXPECT_EQ((*reader)->CandidateCount().value_or(-1), 1);
    AgentEventRecord event;
    event.agent = "127.0.0.1:1";
    event.kind = "quarantined";
    ASSERT_TRUE((*writer)->PutAgentEvent(event).ok());
    ASSERT_TRUE((*writer)->PutCandidate(Candidate("c")).ok());
    EXPECT_EQ((*reader)->CandidateCount().value_or(-1), 1);
    EXPECT_EQ((*reader)->AgentEvents()->size(), 0u);
    EXPECT_EQ((*reader)->Candidates()->size(), 1u);
  }
  EXPECT_EQ((*reader)->CandidateCount().value_or(-1), 3);
  EXPECT_EQ((*reader)->AgentEvents()->size(), 1u);
}

TEST(ReadTransactionTest, LastActivityIsTheLatestTimestampedRecord) {
  const std::string path = ::testing::TempDir() + "last_activity.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = CampaignStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->LastActivityUnixMs().value_or(-1), 0);
  AgentEventRecord event;
  event.unix_ms = 1234;
  ASSERT_TRUE((*store)->PutAgentEvent(event).ok());
  EXPECT_EQ((*store)->LastActivityUnixMs().value_or(-1), 1234);
  event.unix_ms = 99;
  ASSERT_TRUE((*store)->PutAgentEvent(event).ok());
  EXPECT_EQ((*store)->LastActivityUnixMs().value_or(-1), 1234);
}

}  // namespace
}  // namespace nas::results
