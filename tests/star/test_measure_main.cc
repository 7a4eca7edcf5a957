// star-test-measure: a stand-in for liv-measure that the real device agent runs in its
// child process during coordinator tests. It takes liv-measure's command line (as
// device-agent/measurer.cc's LivMeasureArgs builds it; unknown flags are ignored), reads
// the ArchSpec in text format on stdin ("-m -", or a preset, spec file or GGUF), and prints the
// liv-measure/1 report of SimulatedLivMeasureJson: deterministic figures from the cost
// model, no timing. `--describe` prints liv-measure's device description.
// Environment:
//   NAS_TEST_MEASURE_LOG=FILE       append "start HASH PID" at the start and "done HASH PID"
//                                   before exiting 0 (HASH = SpecTextHash of the spec text)
//   NAS_TEST_MEASURE_SLEEP_MS=N     sleep N ms between the two (to kill things mid-way)
// Exit codes as liv-measure: 0 ok, 1 failed, 2 invalid arguments or spec, 3 over
// --memory-cap (the simulated predicted peak).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "liv/model/arch_spec_io.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/tools/measure_model.h"
#include "liv/tools/build_info.h"
#include "tests/star/simulated_measurement.h"

namespace {

using namespace nas::star::testing;

int Fail(int code, const std::string& message) {
  std::cerr << "star-test-measure: " << message << "\n";
  return code;
}

void AppendLog(const char* what, const std::string& hash) {
  const char* path = std::getenv(kMeasureLogEnv);
  if (path == nullptr || *path == '\0') return;
  const int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string line = std::string(what) + " " + hash + " " + std::to_string(getpid()) + "\n";
  (void)!write(fd, line.data(), line.size());  // one write: lines of parallel writers never mix
  close(fd);
}

int Main(int argc, char** argv) {
  CLI::App app{"star-test-measure: liv-measure's command line, simulated figures (tests only)"};
  app.allow_extras();
  std::string model, weights = "f32", output;
  std::vector<uint32_t> prompts, depths, pin_cpus;
  uint32_t decode_tokens = 0, threads = 0, warmups = 1, min_reps = 0, max_reps = 0, reps = 0;
  uint32_t max_batch = 0;
  double max_seconds = 0, target_ci = 0;
  uint64_t memory_cap = 0, seed = 0, max_context = 0;
  bool describe = false, quiet = false;
  app.add_option("-m,--model", model);
  app.add_flag("--describe", describe);
  app.add_option("-w,--weights", weights);
  app.add_option("-p,--prompt-lengths", prompts)->delimiter(',');
  app.add_option("-d,--decode-depths", depths)->delimiter(',');
  app.add_option("-n,--decode-tokens", decode_tokens);
  app.add_option("-t,--threads", threads);
  app.add_option("--pin-cpus", pin_cpus)->delimiter(',');
  app.add_option("--warmups", warmups);
  app.add_option("--min-repetitions", min_reps);
  app.add_option("--max-repetitions", max_reps);
  app.add_option("-r,--repetitions", reps);
  app.add_option("--max-seconds", max_seconds);
  app.add_option("--target-ci", target_ci);
  app.add_option("--memory-cap", memory_cap);
  app.add_option("--max-context", max_context);
  app.add_option("--max-batch", max_batch);
  app.add_option("--seed", seed);
  app.add_option("-o,--output", output);
  app.add_flag("-q,--quiet", quiet);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return Fail(2, e.what());
  }
  if (describe) {
    std::cout << nas::liv::DescribeDeviceJson().dump(2) << "\n";
    return 0;
  }
  if (model.empty()) return Fail(2, "--model: required (a preset, a spec file or -)");

  std::string spec_text;
  nas::ArchSpec spec;
  if (model == "-") {
    spec_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    auto parsed = nas::liv::ParseArchSpecText(spec_text, "<stdin>");
    if (!parsed.ok()) return Fail(2, std::string(parsed.status().message()));
    if (auto s = nas::liv::ValidateArchSpec(*parsed); !s.ok()) {
      return Fail(2, "<stdin>: " + std::string(s.message()));
    }
    spec = *std::move(parsed);
  } else {
    auto loaded = nas::liv::ResolveMeasuredModel(model);  // a preset, spec file or GGUF
    if (!loaded.ok()) return Fail(2, std::string(loaded.status().message()));
    spec = std::move(loaded->spec);
    spec_text = nas::liv::ArchSpecToText(spec);
  }
  const std::string hash = SpecTextHash(spec_text);
  AppendLog("start", hash);

  nas::agent::MeasureProtocol protocol;
  for (uint32_t n : prompts) protocol.add_prompt_lengths(n);
  for (uint32_t d : depths) protocol.add_decode_depths(d);
  for (uint32_t c : pin_cpus) protocol.add_pin_cpus(c);
  protocol.set_decode_tokens(decode_tokens);
  protocol.set_threads(threads);
  protocol.set_warmups(warmups);
  if (reps > 0) min_reps = max_reps = reps;
  protocol.set_min_repetitions(min_reps);
  protocol.set_max_repetitions(max_reps);
  protocol.set_max_seconds_per_point(max_seconds);
  protocol.set_target_ci(target_ci);
  protocol.set_max_batch(max_batch);
  const auto result = SimulatedMeasureResult(spec, protocol, weights);
  if (result.outcome() != nas::agent::MeasureResult::OK) return Fail(2, result.message());

  if (const char* sleep_ms = std::getenv(kMeasureSleepEnv); sleep_ms != nullptr) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoll(sleep_ms)));
  }
  if (memory_cap != 0 && result.predicted_peak_memory_bytes() > memory_cap) {
    return Fail(3, "predicted peak memory " + std::to_string(result.predicted_peak_memory_bytes()) +
                       " bytes exceeds the memory cap " + std::to_string(memory_cap) + " bytes");
  }
  std::cout << SimulatedLivMeasureJson(spec, protocol, weights) << std::flush;
  if (!std::cout.good()) return Fail(1, "cannot write to stdout");
  AppendLog("done", hash);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    return Fail(1, std::string("unexpected error: ") + e.what());
  }
}
