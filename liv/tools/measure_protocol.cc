#include "liv/tools/measure_protocol.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_fingerprint.h"
#include "liv/model/arch_spec_io.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/memory_plan.h"
#include "liv/runtime/session.h"
#include "liv/runtime/thread_pool.h"
#include "liv/tools/adaptive_repetitions.h"
#include "liv/tools/build_info.h"
#include "liv/tools/memory_sampler.h"
#include "liv/tools/stats.h"

namespace nas::liv {
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::vector<int32_t> PromptTokens(size_t n, uint32_t vocab, uint64_t seed) {
  std::vector<int32_t> tokens(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& t : tokens) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    t = static_cast<int32_t>(x % vocab);
  }
  return tokens;
}

// per * 1000 / ms for each sample: tokens/s from ms per `per` tokens.
std::vector<double> Reciprocal(const std::vector<double>& ms, double per) {
  std::vector<double> out;
  for (double m : ms) out.push_back(per * 1000.0 / m);
  return out;
}

std::vector<double> Scaled(const std::vector<double>& values, double factor) {
  std::vector<double> out;
  for (double v : values) out.push_back(v * factor);
  return out;
}

// A step's failure inside the protocol is never "out of memory": every buffer was
// allocated up front and the context was sized for the protocol, so a ResourceExhausted
// from Prefill/Decode (a full context) is a bug, not an exit code 3.
absl::Status StepFailure(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kResourceExhausted) return status;
  return absl::InternalError(status.message());
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

nlohmann::json PlanJson(const MemoryPlan& plan) {
  return {{"weights", plan.weights},
          {"kv_cache", plan.kv_cache},
          {"conv_state", plan.conv_state},
          {"recurrent_state", plan.recurrent_state},
          {"activations", plan.activations},
          {"activation_quant", plan.activation_quant},
          {"attention_scratch", plan.attention_scratch},
          {"logits", plan.logits},
          {"total", plan.total()}};
}

// The adaptive loop's verdict, shared by prefill and decode points. The point's "ci95" is
// the interval of the time per repetition (also found as time_ms.ci95).
void AddVerdict(const AdaptiveResult& r, nlohmann::json& point) {
  point["repetitions"] = r.samples.size();
  point["ci95"] = ToJson(r.ci);
  point["ci95_relative"] = r.ci.available ? nlohmann::json(r.relative_half_width) : nullptr;
  point["bound_met"] = r.bound_met;
  point["bound_reason"] = r.bound_reason;
  point["seconds"] = r.seconds;
  if (r.probes_gbps.empty()) {
    point["bandwidth_gbps"] = nullptr;
  } else {
    const Summary b = Summarize(r.probes_gbps);
    point["bandwidth_gbps"] = {{"median", b.median}, {"min", b.min},     {"max", b.max},
                               {"spread", r.probe_spread}, {"probes", b.count},
                               {"noisy", r.noisy}};
  }
}

std::string VerdictLine(const AdaptiveResult& r, const std::string& unit) {
  std::string line = absl::StrCat("median ", Fixed(r.median, 3), " ", unit);
  if (r.ci.available) {
    absl::StrAppend(&line, ", 95% interval [", Fixed(r.ci.low, 3), ", ", Fixed(r.ci.high, 3),
                    "]");
  }
  absl::StrAppend(&line, ", ", r.samples.size(), " repetitions in ", Fixed(r.seconds, 1),
                  " s, bound ", r.bound_met ? "met" : "not met: " + r.bound_reason);
  return line;
}

}  // namespace

uint32_t MinimumContext(const MeasureProtocol& p) {
  uint32_t context = 1;
  for (uint32_t n : p.prompt_lengths) context = std::max(context, n);
  for (uint32_t d : p.decode_depths) context = std::max(context, d + p.decode_tokens);
  return context;
}

absl::Status ValidateProtocol(const MeasureProtocol& p) {
  if (p.prompt_lengths.empty() && p.decode_depths.empty()) {
    return absl::InvalidArgumentError("--prompt-lengths / --decode-depths: nothing to measure");
  }
  for (uint32_t n : p.prompt_lengths) {
    if (n == 0) return absl::InvalidArgumentError("--prompt-lengths: lengths must be >= 1");
  }
  if (!p.decode_depths.empty() && p.decode_tokens == 0) {
    return absl::InvalidArgumentError("--decode-tokens: must be >= 1 to measure decode");
  }
  AdaptiveOptions adaptive;
  adaptive.min_repetitions = p.min_repetitions;
  adaptive.max_repetitions = p.max_repetitions;
  adaptive.max_seconds = p.max_seconds;
  adaptive.target_ci = p.target_ci;
  NAS_RETURN_IF_ERROR(ValidateAdaptiveOptions(adaptive));
  if (p.threads < 0 || p.threads > 1024) {
    return absl::InvalidArgumentError("--threads: must be in [0, 1024] (0 = physical cores)");
  }
  if (auto status = CheckCpusAvailable(p.pin_cpus); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("--pin-cpus: ", status.message()));
  }
  if (p.max_batch == 0) return absl::InvalidArgumentError("--max-batch: must be >= 1");
  if (p.max_context != 0 && p.max_context < MinimumContext(p)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-context: ", p.max_context, " is smaller than ", MinimumContext(p),
                     ", the longest prompt or decode depth + decode tokens"));
  }
  return absl::OkStatus();
}

uint32_t RequiredContext(const MeasureProtocol& p) {
  return p.max_context != 0 ? p.max_context : MinimumContext(p);
}

int ResolvedThreads(const MeasureProtocol& p) {
  if (p.threads > 0) return p.threads;
  if (!p.pin_cpus.empty()) return static_cast<int>(p.pin_cpus.size());
  return PhysicalCoreCount();
}

std::string InvalidMemoryReason(uint64_t peak, uint64_t weight_bytes, uint64_t probe_bytes) {
  const uint64_t floor = weight_bytes + probe_bytes;
  if (peak >= floor) return "";
  if (probe_bytes == 0) {
    return absl::StrCat("measured peak ", peak, " bytes is below the weight bytes ",
                        weight_bytes, ": pages were swapped, compressed or not counted");
  }
  return absl::StrCat("measured peak ", peak, " bytes is below the ", floor,
                      " bytes that must be resident (weights ", weight_bytes,
                      " + bandwidth probe ", probe_bytes,
                      "): pages were swapped, compressed or not counted");
}

absl::StatusOr<nlohmann::json> RunMeasurement(const MeasuredModel& measured,
                                              const MeasureProtocol& protocol,
                                              const ProgressFn& progress) {
  const ArchSpec& spec = measured.spec;
  const std::string& source = measured.source;
  NAS_RETURN_IF_ERROR(ValidateProtocol(protocol));
  const ProcMemory baseline = ReadProcMemory();

  RuntimeOptions options;
  options.threads = ResolvedThreads(protocol);
  options.max_context = RequiredContext(protocol);
  options.max_batch = protocol.max_batch;
  options.pin_cpus = protocol.pin_cpus;
  options.kv_type = protocol.kv_type;
  const MemoryPlan plan = PlanMemory(spec, protocol.weight_type, options);
  const uint64_t probe_bytes = protocol.noise_probe ? BandwidthProbe::RoundedBytes(protocol.noise_probe_bytes) : 0;
  const uint64_t predicted = baseline.vm_rss + plan.total() + probe_bytes;
  if (protocol.memory_cap != 0 && predicted > protocol.memory_cap) {
    return absl::ResourceExhaustedError(absl::StrCat("predicted peak memory ", predicted,
                                                     " bytes exceeds the memory cap ",
                                                     protocol.memory_cap, " bytes"));
  }

  MemorySampler sampler;
  sampler.Start();
  progress(absl::StrCat(measured.gguf != nullptr ? "loading " : "building ",
                        spec.name().empty() ? source : spec.name(), ": ",
                        plan.total() >> 20, " MiB planned + ", probe_bytes >> 20,
                        " MiB bandwidth probe, ", options.threads, " threads"));
  if (!protocol.pin_cpus.empty() &&
      static_cast<size_t>(options.threads) > protocol.pin_cpus.size()) {
    progress(absl::StrCat("warning: ", options.threads, " threads share ",
                          protocol.pin_cpus.size(),
                          " pinned CPUs; threads on one CPU wait on each other"));
  }
  NAS_ASSIGN_OR_RETURN(auto model, BuildMeasuredModel(measured, protocol.weight_type,
                                                       protocol.seed, options.threads));
  NAS_ASSIGN_OR_RETURN(auto session, Session::Create(model, options));
  std::unique_ptr<BandwidthProbe> probe;
  if (protocol.noise_probe) {
    NAS_ASSIGN_OR_RETURN(probe, BandwidthProbe::Create(options.threads, protocol.pin_cpus,
                                                       protocol.noise_probe_bytes));
  }
  // Thread 0 of both pools is this thread: pin it for the whole measurement.
  std::unique_ptr<ScopedCpuPin> pin;
  if (!protocol.pin_cpus.empty()) {
    pin = std::make_unique<ScopedCpuPin>(protocol.pin_cpus[0]);
    if (!pin->status().ok()) {
      return absl::Status(pin->status().code(),
                          absl::StrCat("--pin-cpus: ", pin->status().message()));
    }
  }

  AdaptiveOptions adaptive;
  adaptive.warmups = protocol.warmups;
  adaptive.min_repetitions = protocol.min_repetitions;
  adaptive.max_repetitions = protocol.max_repetitions;
  adaptive.max_seconds = protocol.max_seconds;
  adaptive.target_ci = protocol.target_ci;
  std::vector<double> all_probes;
  // Every point, compute-bound prefill included, is vetoed by a noisy probe: on shared VMs
  // the neighbours that swing the bandwidth also move prefill medians between calls.
  auto run_point = [&](const std::string& name,
                       std::function<absl::StatusOr<double>()> repetition)
      -> absl::StatusOr<AdaptiveResult> {
    AdaptiveCallbacks callbacks;
    callbacks.repetition = std::move(repetition);
    if (probe != nullptr) callbacks.probe = [&] { return probe->MeasureGbps(); };
    callbacks.progress = [&](const std::string& line) { progress(name + ": " + line); };
    NAS_ASSIGN_OR_RETURN(AdaptiveResult result, RunAdaptiveRepetitions(adaptive, callbacks));
    all_probes.insert(all_probes.end(), result.probes_gbps.begin(), result.probes_gbps.end());
    return result;
  };

  nlohmann::json prefill = nlohmann::json::array(), ttft = nlohmann::json::array();
  for (uint32_t n : protocol.prompt_lengths) {
    const auto tokens = PromptTokens(n, spec.vocab_size(), protocol.seed + n);
    const std::string name = absl::StrCat("prefill ", n);
    NAS_ASSIGN_OR_RETURN(
        AdaptiveResult r, run_point(name, [&]() -> absl::StatusOr<double> {
          session->Reset();
          const auto start = Clock::now();
          if (auto logits = session->Prefill(tokens); !logits.ok()) {
            return StepFailure(logits.status());
          }
          return MillisecondsSince(start);
        }));
    progress(absl::StrCat(name, ": ", VerdictLine(r, "ms")));
    nlohmann::json point = {{"prompt_length", n},
                            {"time_ms", ToJson(Summarize(r.samples))},
                            {"tokens_per_s", ToJson(Summarize(Reciprocal(r.samples, n)))},
                            {"flops", PrefillFlops(spec, n)}};
    AddVerdict(r, point);
    prefill.push_back(point);
    // The first token is ready once the prompt's logits are: TTFT is the prefill time.
    ttft.push_back({{"prompt_length", n}, {"ms", ToJson(Summarize(r.samples))}});
  }

  nlohmann::json decode = nlohmann::json::array();
  for (uint32_t depth : protocol.decode_depths) {
    const auto context = PromptTokens(std::max<uint32_t>(depth, 1), spec.vocab_size(),
                                      protocol.seed + depth + 1);
    const std::string name = absl::StrCat("decode at depth ", depth);
    NAS_ASSIGN_OR_RETURN(
        AdaptiveResult r, run_point(name, [&]() -> absl::StatusOr<double> {
          session->Reset();
          if (depth > 0) {
            if (auto logits = session->Prefill(context); !logits.ok()) {
              return StepFailure(logits.status());
            }
          }
          int32_t token = context.back();
          const auto start = Clock::now();
          for (uint32_t j = 0; j < protocol.decode_tokens; ++j) {
            auto logits = session->Decode(token);
            if (!logits.ok()) return StepFailure(logits.status());
            token = static_cast<int32_t>(std::max_element(logits->begin(), logits->end()) -
                                         logits->begin());
          }
          return MillisecondsSince(start);
        }));
    progress(absl::StrCat(name, ": ", VerdictLine(r, "ms per repetition")));
    const std::vector<double> ms_per_token = Scaled(r.samples, 1.0 / protocol.decode_tokens);
    nlohmann::json point = {{"depth", depth},
                            {"decode_tokens", protocol.decode_tokens},
                            {"time_ms", ToJson(Summarize(r.samples))},
                            {"ms_per_token", ToJson(Summarize(ms_per_token))},
                            {"tokens_per_s", ToJson(Summarize(Reciprocal(ms_per_token, 1)))},
                            {"flops_per_token", DecodeFlops(spec, depth)},
                            {"weight_bytes_per_token",
                             DecodeWeightBytesRead(spec, model->weight_type())}};
    AddVerdict(r, point);
    decode.push_back(point);
  }
  pin.reset();

  sampler.Stop();
  const ProcMemory end = ReadProcMemory();
  const uint64_t peak = std::max(end.vm_hwm, sampler.max_rss_plus_swap());
  const CacheBytes cache =
      CacheBytesAt(spec, options.max_context, KvElementBytes(protocol.kv_type));
  const std::string invalid_reason = InvalidMemoryReason(peak, plan.weights, probe_bytes);

  const Summary bandwidth = Summarize(all_probes);
  const double run_spread = Spread(all_probes);
  const double noise_limit = kProbeSpreadFactor * protocol.target_ci;
  nlohmann::json machine_noise =
      all_probes.empty()
          ? nlohmann::json(nullptr)
          : nlohmann::json{{"probes", all_probes.size()},
                           {"median_gbps", bandwidth.median},
                           {"min_gbps", bandwidth.min},
                           {"max_gbps", bandwidth.max},
                           {"spread", run_spread},
                           {"spread_limit", noise_limit},
                           {"noisy", run_spread > noise_limit}};

  std::string spec_json = ArchSpecToJson(spec);
  nlohmann::json file_weight_type = nullptr;
  if (measured.file_weight_type) {
    file_weight_type = std::string(WeightTypeName(*measured.file_weight_type));
  }
  return nlohmann::json{
      {"schema", kMeasureSchema},
      {"model",
       {{"name", spec.name()},
        {"source", source},
        {"parameters", CountParameters(spec)},
        {"weight_type", std::string(WeightTypeName(model->weight_type()))},
        {"weights", measured.gguf != nullptr ? kGgufWeights : kRandomWeights},
        {"file_bytes", measured.gguf != nullptr ? nlohmann::json(measured.gguf->bytes().size())
                                                : nlohmann::json(nullptr)},
        {"file_weight_type", file_weight_type},
        {"file_fingerprint", measured.gguf != nullptr
                                 ? nlohmann::json(GgufFingerprint(*measured.gguf))
                                 : nlohmann::json(nullptr)},
        {"kv_type", std::string(KvTypeName(protocol.kv_type))},
        {"weight_bytes", plan.weights},
        {"spec", nlohmann::json::parse(spec_json, nullptr, /*allow_exceptions=*/false)}}},
      {"protocol",
       {{"version", kMeasureProtocolVersion},
        {"prompt_lengths", protocol.prompt_lengths},
        {"decode_depths", protocol.decode_depths},
        {"decode_tokens", protocol.decode_tokens},
        {"threads", options.threads},
        {"warmups", protocol.warmups},
        {"min_repetitions", protocol.min_repetitions},
        {"max_repetitions", protocol.max_repetitions},
        {"max_seconds", protocol.max_seconds},
        {"target_ci", protocol.target_ci},
        {"confidence", kConfidence},
        {"noise_probe", protocol.noise_probe},
        {"noise_probe_bytes", probe_bytes},
        {"noise_spread_limit", noise_limit},
        {"pin_cpus", protocol.pin_cpus},
        {"memory_cap", protocol.memory_cap},
        {"max_context", options.max_context},
        {"max_batch", options.max_batch},
        {"seed", protocol.seed}}},
      {"prefill", prefill},
      {"decode", decode},
      {"time_to_first_token", ttft},
      {"machine_noise", machine_noise},
      {"memory",
       {{"peak_bytes", peak},
        {"valid", invalid_reason.empty()},
        {"invalid_reason", invalid_reason},
        {"vm_hwm_bytes", end.vm_hwm},
        {"max_rss_plus_swap_bytes", sampler.max_rss_plus_swap()},
        {"samples", sampler.samples()},
        {"baseline_rss_bytes", baseline.vm_rss},
        {"probe_bytes", probe_bytes},
        {"predicted_peak_bytes", predicted},
        {"predicted_over_measured", peak > 0 ? static_cast<double>(predicted) / peak : 0.0},
        {"plan", PlanJson(plan)},
        {"cache_bytes_at_max_context",
         {{"kv", cache.kv},
          {"conv_state", cache.conv_state},
          {"recurrent_state", cache.recurrent_state},
          {"total", cache.total()}}}}},
      {"isa_path", session->kernels().name},
      {"quant_isa_path", session->quant_kernels().name},
      {"build", BuildInfoJson()},
      {"cpu", CpuInfoJson()},
  };
}

}  // namespace nas::liv
