#include "liv/tools/measure_protocol.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/model/arch_spec_io.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/memory_plan.h"
#include "liv/runtime/session.h"
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

std::vector<double> Reciprocal(const std::vector<double>& ms, double per) {
  std::vector<double> out;
  for (double m : ms) out.push_back(per * 1000.0 / m);
  return out;
}

nlohmann::json PlanJson(const MemoryPlan& plan) {
  return {{"weights", plan.weights},
          {"kv_cache", plan.kv_cache},
          {"conv_state", plan.conv_state},
          {"recurrent_state", plan.recurrent_state},
          {"activations", plan.activations},
          {"attention_scratch", plan.attention_scratch},
          {"logits", plan.logits},
          {"total", plan.total()}};
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
  if (p.repetitions == 0) return absl::InvalidArgumentError("--repetitions: must be >= 1");
  if (p.threads < 0 || p.threads > 1024) {
    return absl::InvalidArgumentError("--threads: must be in [0, 1024] (0 = physical cores)");
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

absl::StatusOr<nlohmann::json> RunMeasurement(const ArchSpec& spec, const std::string& source,
                                              const MeasureProtocol& protocol,
                                              const ProgressFn& progress) {
  NAS_RETURN_IF_ERROR(ValidateProtocol(protocol));
  MemorySampler sampler;
  const ProcMemory baseline = ReadProcMemory();
  sampler.Start();

  RuntimeOptions options;
  options.threads = protocol.threads > 0 ? protocol.threads : PhysicalCoreCount();
  options.max_context = RequiredContext(protocol);
  options.max_batch = protocol.max_batch;
  const MemoryPlan plan = PlanMemory(spec, protocol.weight_type, options);
  progress(absl::StrCat("building ", spec.name().empty() ? source : spec.name(), ": ",
                        plan.total() >> 20, " MiB planned, ", options.threads, " threads"));
  NAS_ASSIGN_OR_RETURN(auto model, Model::CreateRandom(spec, protocol.weight_type,
                                                       protocol.seed, options.threads));
  NAS_ASSIGN_OR_RETURN(auto session, Session::Create(model, options));
  const uint32_t total_runs = protocol.warmups + protocol.repetitions;

  nlohmann::json prefill = nlohmann::json::array(), ttft = nlohmann::json::array();
  for (uint32_t n : protocol.prompt_lengths) {
    const auto tokens = PromptTokens(n, spec.vocab_size(), protocol.seed + n);
    std::vector<double> ms;
    for (uint32_t run = 0; run < total_runs; ++run) {
      progress(absl::StrCat("prefill ", n, ": ", run < protocol.warmups ? "warm-up " : "run ",
                            run + 1, "/", total_runs));
      session->Reset();
      const auto start = Clock::now();
      NAS_RETURN_IF_ERROR(session->Prefill(tokens).status());
      if (run >= protocol.warmups) ms.push_back(MillisecondsSince(start));
    }
    prefill.push_back({{"prompt_length", n},
                       {"time_ms", ToJson(Summarize(ms))},
                       {"tokens_per_s", ToJson(Summarize(Reciprocal(ms, n)))},
                       {"flops", PrefillFlops(spec, n)}});
    // The first token is ready once the prompt's logits are: TTFT is the prefill time.
    ttft.push_back({{"prompt_length", n}, {"ms", ToJson(Summarize(ms))}});
  }

  nlohmann::json decode = nlohmann::json::array();
  for (uint32_t depth : protocol.decode_depths) {
    const auto context = PromptTokens(std::max<uint32_t>(depth, 1), spec.vocab_size(),
                                      protocol.seed + depth + 1);
    std::vector<double> ms_per_token;
    for (uint32_t run = 0; run < total_runs; ++run) {
      progress(absl::StrCat("decode at depth ", depth, ": ",
                            run < protocol.warmups ? "warm-up " : "run ", run + 1, "/",
                            total_runs));
      session->Reset();
      if (depth > 0) NAS_RETURN_IF_ERROR(session->Prefill(context).status());
      int32_t token = context.back();
      const auto start = Clock::now();
      for (uint32_t j = 0; j < protocol.decode_tokens; ++j) {
        NAS_ASSIGN_OR_RETURN(auto logits, session->Decode(token));
        token = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) -
                                     logits.begin());
      }
      if (run >= protocol.warmups) {
        ms_per_token.push_back(MillisecondsSince(start) / protocol.decode_tokens);
      }
    }
    decode.push_back({{"depth", depth},
                      {"decode_tokens", protocol.decode_tokens},
                      {"ms_per_token", ToJson(Summarize(ms_per_token))},
                      {"tokens_per_s", ToJson(Summarize(Reciprocal(ms_per_token, 1)))},
                      {"flops_per_token", DecodeFlops(spec, depth)},
                      {"weight_bytes_per_token", plan.weights}});
  }

  sampler.Stop();
  const ProcMemory end = ReadProcMemory();
  const uint64_t peak = std::max(end.vm_hwm, sampler.max_rss_plus_swap());
  const uint64_t predicted = baseline.vm_rss + plan.total();
  const CacheBytes cache = CacheBytesAt(spec, options.max_context);

  std::string spec_json = ArchSpecToJson(spec);
  return nlohmann::json{
      {"schema", kMeasureSchema},
      {"model",
       {{"name", spec.name()},
        {"source", source},
        {"parameters", CountParameters(spec)},
        {"weight_type", std::string(WeightTypeName(protocol.weight_type))},
        {"weight_bytes", plan.weights},
        {"spec", nlohmann::json::parse(spec_json, nullptr, /*allow_exceptions=*/false)}}},
      {"protocol",
       {{"prompt_lengths", protocol.prompt_lengths},
        {"decode_depths", protocol.decode_depths},
        {"decode_tokens", protocol.decode_tokens},
        {"threads", options.threads},
        {"warmups", protocol.warmups},
        {"repetitions", protocol.repetitions},
        {"max_context", options.max_context},
        {"max_batch", options.max_batch},
        {"seed", protocol.seed}}},
      {"prefill", prefill},
      {"decode", decode},
      {"time_to_first_token", ttft},
      {"memory",
       {{"peak_bytes", peak},
        {"vm_hwm_bytes", end.vm_hwm},
        {"max_rss_plus_swap_bytes", sampler.max_rss_plus_swap()},
        {"samples", sampler.samples()},
        {"baseline_rss_bytes", baseline.vm_rss},
        {"predicted_peak_bytes", predicted},
        {"predicted_over_measured", peak > 0 ? static_cast<double>(predicted) / peak : 0.0},
        {"plan", PlanJson(plan)},
        {"cache_bytes_at_max_context",
         {{"kv", cache.kv},
          {"conv_state", cache.conv_state},
          {"recurrent_state", cache.recurrent_state},
          {"total", cache.total()}}}}},
      {"isa_path", session->kernels().name},
      {"build", BuildInfoJson()},
      {"cpu", CpuInfoJson()},
  };
}

}  // namespace nas::liv
