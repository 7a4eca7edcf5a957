// liv-measure: the portable measuring binary the device agent runs in a child process.
// Prints one JSON document (schema liv-measure/1) on stdout or to --output; progress and
// errors go to stderr (errors as one line). Exit codes: 0 ok (including a memory figure
// reported as invalid, or a bound not met: both are in the JSON), 1 measurement failed,
// 2 bad arguments or spec, 3 out of memory (the predicted peak exceeds --memory-cap, or an
// allocation failed).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <new>

#include "CLI/CLI.hpp"
#include "liv/tools/build_info.h"
#include "liv/tools/measure_protocol.h"
#include "liv/tools/measure_summary.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;
constexpr int kExitOutOfMemory = 3;

int Fail(int code, const std::string& message) {
  std::cerr << "liv-measure: " << message << "\n";
  return code;
}

int Main(int argc, char** argv) {
  using namespace nas::liv;
  CLI::App app{
      "liv-measure: measure prefill and decode latency and peak memory of one model on this "
      "CPU.\nThe model is an LFM2 preset (LFM2-350M, LFM2-700M, LFM2-1.2B, LFM2-2.6B) or an "
      "ArchSpec file (.textproto or .json) with deterministic random weights, or an LFM2 GGUF "
      "checkpoint (e.g. LFM2-350M-Q4_0.gguf) with its own weights, in its own weight type "
      "unless --weights says otherwise.\nEach point "
      "(prompt length, decode depth) runs warm-ups, then repetitions until the 95% confidence "
      "interval of the median is within --target-ci of it (at least --min-repetitions, at "
      "most --max-repetitions or --max-seconds), with a memory-bandwidth probe between "
      "repetitions: a point whose bandwidth varied by more than twice the target is reported "
      "as noisy (bound not met).\nPrints one JSON document: per point the median, p10, p90, "
      "stddev and 95% interval of the time, tokens/s and ms/token, whether the bound was met "
      "and why not; the machine's bandwidth noise; peak memory (max of VmHWM and sampled "
      "VmRSS+VmSwap) next to the cost model's prediction, and whether it is valid; build, "
      "ISA path and CPU."};
  app.footer(
      "Exit codes: 0 ok (a bound not met or an invalid memory figure is reported in the "
      "JSON), 1 measurement failed, 2 invalid arguments or spec, 3 out of memory (predicted "
      "peak above --memory-cap, or an allocation failed).");
  std::string model, weights, kv_type = "f32", output;
  MeasureProtocol protocol;
  bool quiet = false, no_noise_probe = false;
  uint32_t repetitions = 0;
  uint64_t param_cap = ValidationLimits{}.max_parameters;
  app.add_option("-m,--model", model,
                 "Preset name, ArchSpec file, - for text format on stdin, or a GGUF file "
                 "(*.gguf or GGUF magic) (required)");
  bool describe = false;
  app.add_flag("--describe", describe,
               "Print this device as JSON (build, ISA path, CPU, memory, OS) and exit");
  app.add_option("-w,--weights", weights,
                 "Weight type: f32, f16, q8_0, q4_0 (GGUF blocks) or 8da4w (int4 per group of "
                 "32, int8 activations) [default: f32, or a GGUF file's own type]");
  app.add_option("--kv-type", kv_type,
                 "Element type of the K/V cache: f32, or f16 (IEEE half, rounded to nearest "
                 "even; half the cache bytes)")
      ->capture_default_str();
  app.add_option("-p,--prompt-lengths", protocol.prompt_lengths,
                 "Prompt lengths to prefill (tokens)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("-d,--decode-depths", protocol.decode_depths,
                 "Depths (tokens already in the cache) to decode at")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("-n,--decode-tokens", protocol.decode_tokens,
                 "Decode steps timed per repetition")
      ->capture_default_str();
  app.add_option("-t,--threads", protocol.threads,
                 "Threads (0 = physical cores, or the number of --pin-cpus)")
      ->capture_default_str();
  app.add_option("--pin-cpus", protocol.pin_cpus,
                 "Pin thread i to CPU list[i % size], e.g. 0,1 (default: no pinning)")
      ->delimiter(',');
  app.add_option("--warmups", protocol.warmups, "Discarded runs before timing each point")
      ->capture_default_str();
  auto* min_reps = app.add_option("--min-repetitions", protocol.min_repetitions,
                                  "Timed runs per point at least (the 95% interval needs 6)")
                       ->capture_default_str();
  auto* max_reps =
      app.add_option("--max-repetitions", protocol.max_repetitions, "Timed runs per point at most")
          ->capture_default_str();
  app.add_option("-r,--repetitions", repetitions,
                 "Exactly N timed runs per point (sets --min-repetitions and --max-repetitions)")
      ->excludes(min_reps)
      ->excludes(max_reps);
  app.add_option("--max-seconds", protocol.max_seconds,
                 "Wall time per point (warm-ups and probes included); the point stops after "
                 "the repetition that crosses it, never before --min-repetitions")
      ->capture_default_str();
  app.add_option("--target-ci", protocol.target_ci,
                 "Stop a point once the 95% interval of its median is within this fraction "
                 "of the median")
      ->capture_default_str();
  app.add_flag("--no-noise-probe", no_noise_probe,
               "No memory-bandwidth probes between repetitions (and no 128 MiB probe buffer)");
  app.add_option("--memory-cap", protocol.memory_cap,
                 "Exit 3 without allocating if the predicted peak memory exceeds this many "
                 "bytes (0 = none)")
      ->capture_default_str();
  app.add_option("--max-context", protocol.max_context,
                 "Positions the caches hold (0 = just enough for the protocol)")
      ->capture_default_str();
  app.add_option("--max-batch", protocol.max_batch, "Tokens per prefill chunk")
      ->capture_default_str();
  app.add_option("--seed", protocol.seed, "Seed of the weights and prompts")
      ->capture_default_str();
  app.add_option("--param-cap", param_cap, "Reject specs with more parameters than this")
      ->capture_default_str();
  app.add_option("-o,--output", output, "Write the JSON here instead of stdout");
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return Fail(kExitInvalid, e.what());              // one line, like every other error
  }

  if (describe) {
    std::cout << DescribeDeviceJson().dump(2) << "\n";
    return 0;
  }
  if (model.empty()) {
    return Fail(kExitInvalid, "--model: required (a preset, a spec file, - or a GGUF file)");
  }
  if (app.count("--repetitions") > 0) {
    if (repetitions == 0) return Fail(kExitInvalid, "--repetitions: must be >= 1");
    protocol.min_repetitions = protocol.max_repetitions = repetitions;
  }
  protocol.noise_probe = !no_noise_probe;
  if (!weights.empty()) {
    auto type = ParseWeightType(weights);
    if (!type.ok()) return Fail(kExitInvalid, "--weights: " + std::string(type.status().message()));
    protocol.weight_type = *type;
  }
  auto kv = ParseKvType(kv_type);
  if (!kv.ok()) return Fail(kExitInvalid, "--kv-type: " + std::string(kv.status().message()));
  protocol.kv_type = *kv;
  ValidationLimits limits;
  limits.max_parameters = param_cap;
  auto measured = ResolveMeasuredModel(model, limits);
  if (!measured.ok()) return Fail(kExitInvalid, std::string(measured.status().message()));
  if (weights.empty() && measured->file_weight_type) {
    protocol.weight_type = *measured->file_weight_type;
  }
  if (auto status = ValidateProtocol(protocol); !status.ok()) {
    return Fail(kExitInvalid, std::string(status.message()));
  }
  auto progress = [quiet](const std::string& line) {
    if (!quiet) std::cerr << "liv-measure: " << line << "\n";
  };
  auto result = RunMeasurement(*measured, protocol, progress);
  if (!result.ok()) {
    const bool oom = result.status().code() == absl::StatusCode::kResourceExhausted;
    return Fail(oom ? kExitOutOfMemory : kExitFailure, std::string(result.status().message()));
  }
  if (!quiet) std::cerr << SummarizeMeasurement(*result);
  const std::string text = result->dump(2) + "\n";
  if (output.empty()) {
    std::cout << text;
    return std::cout.good() ? 0 : Fail(kExitFailure, "cannot write to stdout");
  }
  std::ofstream out(output);
  out << text;
  return out.good() ? 0 : Fail(kExitFailure, "cannot write " + output);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::bad_alloc&) {
    return Fail(kExitOutOfMemory, "out of memory (an allocation failed)");
  } catch (const std::exception& e) {
    return Fail(kExitFailure, std::string("unexpected error: ") + e.what());
  }
}
