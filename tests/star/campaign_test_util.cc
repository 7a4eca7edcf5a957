#include "tests/star/campaign_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "google/protobuf/text_format.h"
#include "results/campaign_store.h"
#include "star/campaign_snapshot.h"
#include "star/front_table.h"
#include "star/search_space.h"

namespace nas::star::testing {

std::string WriteTinySpace(const std::string& name, const std::vector<std::string>& laptop_agents,
                           const std::vector<std::string>& phone_agents,
                           const std::function<void(SearchSpace&)>& edit) {
  auto space = LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/tiny.textproto");
  EXPECT_TRUE(space.ok()) << space.status();
  if (!space.ok()) return "";
  for (DeviceClass& device : *space->mutable_devices()) {
    device.clear_agents();
    for (const std::string& a : device.name() == "laptop" ? laptop_agents : phone_agents) {
      device.add_agents(a);
    }
  }
  space->mutable_evaluator()->Clear();
  space->mutable_evaluator()->set_kind(Evaluator::PROXY);
  space->mutable_evaluator()->set_seed(1);
  if (edit) edit(*space);
  std::string text;
  google::protobuf::TextFormat::PrintToString(*space, &text);
  const std::string path = ::testing::TempDir() + name + ".textproto";
  std::ofstream(path) << text;
  return path;
}

std::string FreshDbPath(const std::string& name) {
  const std::string path = ::testing::TempDir() + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

std::vector<std::string> FinalPopulation(const std::string& db) {
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return {};
  auto last = (*store)->LastGeneration();
  EXPECT_TRUE(last.ok() && last->has_value());
  if (!last.ok() || !last->has_value()) return {};
  return (*last)->population;
}

std::string FrontCsvOf(const std::string& db) {
  auto store = results::CampaignStore::Open(db, /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return "";
  auto snapshot = LoadSnapshot(**store);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  return snapshot.ok() ? FrontCsv(*snapshot) : "";
}

}  // namespace nas::star::testing
