// liv-measure: the portable measuring binary the device agent runs in a child process.
// Prints one JSON document (schema liv-measure/1) on stdout or to --output; progress and
// errors go to stderr. Exit codes: 0 ok, 1 measurement failed, 2 bad arguments or spec.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "liv/model/spec_source.h"
#include "liv/tools/measure_protocol.h"
#include "liv/tools/measure_summary.h"

namespace {

int Fail(int code, const std::string& message) {
  std::cerr << "liv-measure: " << message << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nas::liv;
  CLI::App app{
      "liv-measure: measure prefill and decode latency and peak memory of one model on this "
      "CPU.\nThe model is an LFM2 preset (LFM2-350M, LFM2-700M, LFM2-1.2B, LFM2-2.6B) or an "
      "ArchSpec file (.textproto or .json) with deterministic random weights.\nPrints one JSON "
      "document: prefill time and tokens/s per prompt length, decode ms/token per depth "
      "(median, p10, p90, stddev), time to first token, peak memory (max of VmHWM and sampled "
      "VmRSS+VmSwap) next to the cost model's prediction, build, ISA path and CPU."};
  std::string model, weights = "f32", output;
  MeasureProtocol protocol;
  bool quiet = false;
  uint64_t param_cap = ValidationLimits{}.max_parameters;
  app.add_option("-m,--model", model, "Preset name or ArchSpec file")->required();
  app.add_option("-w,--weights", weights, "Weight type: f32 (f16, q8_0, q4_0: later)")
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
  app.add_option("-t,--threads", protocol.threads, "Threads (0 = physical cores)")
      ->capture_default_str();
  app.add_option("--warmups", protocol.warmups, "Discarded runs before timing")
      ->capture_default_str();
  app.add_option("-r,--repetitions", protocol.repetitions, "Timed runs per measurement")
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
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto type = ParseWeightType(weights);
  if (!type.ok()) return Fail(2, "--weights: " + std::string(type.status().message()));
  protocol.weight_type = *type;
  ValidationLimits limits;
  limits.max_parameters = param_cap;
  auto spec = LoadArchSpec(model, limits);
  if (!spec.ok()) return Fail(2, std::string(spec.status().message()));
  if (auto status = ValidateProtocol(protocol); !status.ok()) {
    return Fail(2, std::string(status.message()));
  }
  auto progress = [quiet](const std::string& line) {
    if (!quiet) std::cerr << "liv-measure: " << line << "\n";
  };
  auto result = RunMeasurement(*spec, model, protocol, progress);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));
  if (!quiet) std::cerr << SummarizeMeasurement(*result);
  const std::string text = result->dump(2) + "\n";
  if (output.empty()) {
    std::cout << text;
    return std::cout.good() ? 0 : Fail(1, "cannot write to stdout");
  }
  std::ofstream out(output);
  out << text;
  return out.good() ? 0 : Fail(1, "cannot write " + output);
}
