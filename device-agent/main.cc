// device-agent: the measuring service next to one device, and two conveniences.
//   device-agent --listen 127.0.0.1:50051        serve DeviceAgent over gRPC
//   device-agent describe                        print this device
//   device-agent measure --preset lfm2-350m      measure once, locally, and print a table
//                        (or --spec FILE, or --gguf FILE.gguf with the file's own weights)
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "device-agent/agent_server.h"
#include "device-agent/device_info.h"
#include "device-agent/measurer.h"
#include "device-agent/request_validation.h"
#include "device-agent/result_table.h"
#include "liv/model/spec_source.h"

namespace {

using namespace nas::agent;

int Fail(const std::string& message) {
  std::cerr << "device-agent: " << message << "\n";
  return 2;
}

// liv-measure beside this binary (same folder, or ../liv/ in a build tree), else PATH.
std::string DefaultMeasureBinary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (const auto& candidate : {self / "liv-measure", self / ".." / "liv" / "liv-measure"}) {
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.lexically_normal();
  }
  return "liv-measure";
}

struct RunnerFlags {
  std::string kind = "local", prefix, binary = DefaultMeasureBinary(), remote_binary;
  void Add(CLI::App* app) {
    app->add_option("--runner", kind, "How to start the measuring binary: local, qemu, ssh, adb")
        ->capture_default_str();
    app->add_option("--runner-prefix", prefix,
                    "Command prefix, e.g. \"qemu-aarch64\", \"ssh HOST\", \"adb -s SERIAL shell\"");
    app->add_option("--measure-binary", binary, "The liv-measure to run (for qemu/adb: the ARM64 build)")
        ->capture_default_str();
    app->add_option("--remote-binary", remote_binary,
                    "ssh/adb: its path on the device (adb default /data/local/tmp/liv-measure)");
  }
  RunnerConfig Config() const {
    RunnerConfig c;
    c.kind = kind;
    c.binary = binary;
    c.remote_binary = remote_binary;
    for (auto part : absl::StrSplit(prefix, ' ', absl::SkipEmpty())) c.prefix.emplace_back(part);
    return c;
  }
};

int Serve(AgentOptions options, double grace_seconds) {
  // SIGTERM / SIGINT are taken by a waiting thread, never by a gRPC thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = AgentServer::Start(options);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  std::cerr << "device-agent: serving on " << (*server)->address()
            << (options.token.empty() ? "" : " (token required)") << "\n";
  std::cout << "listening " << (*server)->address() << std::endl;  // for scripts and tests
  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "device-agent: " << strsignal(received)
            << ": finishing the measurement in flight, then stopping\n";
  (*server)->Shutdown(std::chrono::milliseconds(static_cast<int64_t>(grace_seconds * 1000)));
  std::cerr << "device-agent: stopped\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "device-agent: measures candidate architectures on this device for the search "
      "coordinator.\nEach measurement runs liv-measure in a fresh child process (one at a "
      "time) with a deadline and a memory cap, and returns prefill/decode latency statistics "
      "and peak memory with an explicit outcome (OK, OUT_OF_MEMORY, TIMEOUT, CRASHED, "
      "INVALID)."};
  app.require_subcommand(0, 1);
  AgentOptions options;
  RunnerFlags runner;
  std::string token_file;
  double grace_seconds = 30;
  app.add_option("--listen", options.listen,
                 "Address to serve on (loopback by default; others need --token or TLS)")
      ->capture_default_str();
  app.add_option("--token", options.token, "Shared token clients must send (or NAS_AGENT_TOKEN)")
      ->envname("NAS_AGENT_TOKEN");
  app.add_option("--token-file", token_file, "Read the shared token from this file");
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate for TLS");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key for TLS");
  app.add_option("--name", options.device_name, "Device name (default: host name)");
  app.add_option("--max-queue", options.max_queue, "Measurements that may wait")->capture_default_str();
  app.add_option("--max-request-bytes", options.max_request_bytes, "Largest request accepted")
      ->capture_default_str();
  app.add_option("--max-parameters", options.limits.max_parameters, "Largest spec accepted")
      ->capture_default_str();
  app.add_option("--max-context", options.limits.max_context, "Longest prompt or depth accepted")
      ->capture_default_str();
  app.add_option("--max-memory", options.limits.max_memory_bytes,
                 "Largest memory cap a request may ask for (0 = 90% of RAM)")
      ->capture_default_str();
  app.add_option("--default-deadline", options.limits.default_deadline_seconds,
                 "Deadline of a measurement that sets none (s)")
      ->capture_default_str();
  app.add_option("--models-dir", options.limits.models_dir,
                 "Folder of the GGUF checkpoints requests may name (MeasureRequest.gguf, a "
                 "plain file name); with --runner ssh or adb the same path must hold them on "
                 "the device")
      ->check(CLI::ExistingDirectory);
  app.add_option("--shutdown-grace", grace_seconds,
                 "On SIGTERM, seconds the measurement in flight may take before it is killed")
      ->capture_default_str();
  runner.Add(&app);

  CLI::App* describe = app.add_subcommand("describe", "Print this device and exit");
  CLI::App* measure = app.add_subcommand("measure", "Measure one model locally and print a table");
  std::string preset, spec_path, gguf_path, weights, kv_type = "f32";
  std::vector<uint32_t> prompts, depths;
  uint32_t threads = 0, repetitions = 0, decode_tokens = 0, times = 1;
  uint64_t seed = 0;
  auto* model = measure->add_option_group("model");
  model->add_option("--preset", preset, "An LFM2 preset, e.g. lfm2-350m");
  model->add_option("--spec", spec_path, "An ArchSpec file");
  model->add_option("--gguf", gguf_path, "An LFM2 GGUF checkpoint (its own weights)");
  model->require_option(1);
  measure->add_option("-w,--weights", weights,
                      "Weight type [default: f32, or the GGUF file's own type]");
  measure->add_option("--kv-type", kv_type, "K/V cache elements: f32 or f16")
      ->capture_default_str();
  measure->add_option("-p,--prompt-lengths", prompts, "Prompt lengths (default 512,4096)")->delimiter(',');
  measure->add_option("-d,--decode-depths", depths, "Decode depths (default 0,4096)")->delimiter(',');
  measure->add_option("-n,--decode-tokens", decode_tokens, "Decode steps per repetition (default 32)");
  measure->add_option("-t,--threads", threads, "Threads (default physical cores)");
  measure->add_option("-r,--repetitions", repetitions, "Fixed repetitions (default adaptive 6..30)");
  measure->add_option("--seed", seed, "Seed of weights and prompts");
  measure->add_option("--times", times,
                      "Independent measurements (fresh child each); with more than one, also "
                      "prints the spread of the medians and whether the intervals agree")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!std::getline(in, options.token) || options.token.empty()) {
      return Fail("--token-file: cannot read a token from \"" + token_file + "\"");
    }
  }
  options.runner = runner.Config();

  if (*describe || *measure) {
    auto made = Runner::Create(options.runner);
    if (!made.ok()) return Fail(std::string(made.status().message()));
    if (auto s = made->Prepare(); !s.ok()) return Fail(std::string(s.message()));
    if (*describe) {
      auto d = DescribeDevice(*made, options.device_name);
      if (!d.ok()) return Fail(std::string(d.status().message()));
      std::cout << FormatDescription(*d);
      return 0;
    }
    MeasureRequest request;
    if (!preset.empty()) {
      request.set_preset(preset);
    } else if (!gguf_path.empty()) {
      // Measured as an agent would: a file name in a models dir, here the file's own folder.
      const std::filesystem::path path(gguf_path);
      request.set_gguf(path.filename().string());
      options.limits.models_dir = path.has_parent_path() ? path.parent_path().string() : ".";
    } else {
      auto spec = nas::liv::LoadArchSpec(spec_path);
      if (!spec.ok()) return Fail(std::string(spec.status().message()));
      *request.mutable_spec() = *spec;
    }
    request.set_weight_type(weights);
    request.set_seed(seed);
    MeasureProtocol* p = request.mutable_protocol();
    for (uint32_t n : prompts) p->add_prompt_lengths(n);
    for (uint32_t d : depths) p->add_decode_depths(d);
    p->set_decode_tokens(decode_tokens);
    p->set_kv_type(kv_type);
    p->set_threads(threads);
    p->set_min_repetitions(repetitions);
    p->set_max_repetitions(repetitions);
    auto validated = ValidateMeasureRequest(request, options.limits);
    if (!validated.ok()) return Fail(std::string(validated.status().message()));
    std::cerr << "device-agent: measuring "
              << (validated->has_gguf() ? gguf_path : validated->spec().name()) << " ("
              << made->Description() << ")...\n";
    Measurer measurer(std::move(made).value(), options.limits.models_dir);
    std::vector<MeasureResult> results;
    for (uint32_t i = 0; i < std::max<uint32_t>(times, 1); ++i) {
      ChildProcess child;
      results.push_back(measurer.Measure(*validated, 0, child, {}));
      if (times > 1) std::cout << "measurement " << i + 1 << "/" << times << ":\n";
      std::cout << FormatResult(results.back()) << std::flush;
    }
    if (times > 1) std::cout << FormatConsistency(results);
    for (const MeasureResult& r : results) {
      if (r.outcome() != MeasureResult::OK) return 1;
    }
    return 0;
  }
  return Serve(options, grace_seconds);
}
