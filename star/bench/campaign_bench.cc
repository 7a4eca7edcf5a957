// The whole coordinator at scale: a campaign on the tiny space (population 128, 5
// generations) against 64 simulated agents on loopback that answer at once (32 per device
// class), with its SQLite store on disk. Everything a real campaign does per candidate —
// variation, decoding, hashing, cheap constraints, two gRPC measurements, store commits,
// quality, objectives, survivor selection, hypervolume — so the wall time per candidate
// is the coordinator's own overhead (target: under 5 ms).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "google/protobuf/text_format.h"
#include "star/campaign.h"
#include "star/search_space.h"
#include "tests/star/fake_agent.h"

namespace nas::star {
namespace {

void BM_Campaign(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int population = static_cast<int>(state.range(1));
  const int generations = static_cast<int>(state.range(2));
  std::vector<std::unique_ptr<testing::FakeAgent>> fakes;
  auto space = LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/tiny.textproto");
  if (!space.ok()) {
    state.SkipWithError(std::string(space.status().message()).c_str());
    return;
  }
  for (DeviceClass& device : *space->mutable_devices()) device.clear_agents();
  for (int i = 0; i < agents; ++i) {
    fakes.push_back(std::make_unique<testing::FakeAgent>());
    space->mutable_devices(i % 2)->add_agents(fakes.back()->address());
  }
  space->mutable_evolution()->set_population(population);
  space->mutable_evolution()->set_generations(generations);
  const std::string dir = std::filesystem::temp_directory_path() / "star-campaign-bench";
  std::filesystem::create_directories(dir);
  const std::string space_path = dir + "/space.textproto";
  std::string text;
  google::protobuf::TextFormat::PrintToString(*space, &text);
  std::ofstream(space_path) << text;

  double total_ms = 0;
  int64_t candidates = 0;
  int run = 0;
  for (auto _ : state) {
    const std::string db = dir + "/campaign-" + std::to_string(run++) + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    const auto start = std::chrono::steady_clock::now();
    auto campaign = Campaign::Create(db, space_path);
    if (!campaign.ok()) {
      state.SkipWithError(std::string(campaign.status().message()).c_str());
      return;
    }
    absl::Status s = (*campaign)->Run({});
    total_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    candidates += *(*campaign)->store().CandidateCount();
  }
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["ms_per_candidate"] = total_ms / static_cast<double>(candidates);
}
BENCHMARK(BM_Campaign)->Args({64, 128, 5})->Iterations(2)->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace nas::star

BENCHMARK_MAIN();
