// Coordinator-side cost of dispatch: a fleet of simulated agents on loopback that answer
// at once, so the time per candidate is the coordinator's own overhead (queueing, gRPC
// calls, result delivery). Reports ms per candidate for 64 agents.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <vector>

#include "star/fleet.h"
#include "tests/star/fake_agent.h"

namespace nas::star {
namespace {

void BM_FleetDispatch(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int jobs_per_run = static_cast<int>(state.range(1));
  std::vector<std::unique_ptr<testing::FakeAgent>> fakes;
  std::vector<AgentAddress> addresses;
  for (int i = 0; i < agents; ++i) {
    fakes.push_back(std::make_unique<testing::FakeAgent>());
    addresses.push_back({i % 2 ? "laptop" : "phone", fakes.back()->address(), ""});
  }
  Fleet fleet(addresses, {});
  std::vector<MeasureJob> jobs(jobs_per_run);
  for (int i = 0; i < jobs_per_run; ++i) {
    jobs[i].id = i;
    jobs[i].device_class = i % 2 ? "laptop" : "phone";
    jobs[i].request.set_preset("lfm2-350m");
    jobs[i].request.set_deadline_seconds(60);
  }
  int64_t done = 0;
  double total_ms = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    fleet.Run(jobs, [&](const JobResult& r) { done += r.status.ok(); });
    total_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
  }
  const double candidates = static_cast<double>(state.iterations()) * jobs_per_run;
  state.counters["candidates"] = candidates;
  state.counters["ok"] = static_cast<double>(done);
  // Wall time per candidate with every agent answering at once: the coordinator's share.
  state.counters["ms_per_candidate"] = total_ms / candidates;
}
BENCHMARK(BM_FleetDispatch)->Args({64, 1000})->Args({8, 1000})->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace nas::star

BENCHMARK_MAIN();
