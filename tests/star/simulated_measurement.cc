#include "tests/star/simulated_measurement.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "device-agent/agent_version.h"
#include "liv/model/arch_spec_io.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/memory_plan.h"
#include "nlohmann/json.hpp"

namespace nas::star::testing {
namespace {

// A summary around `median`: the spread of a quiet machine, the interval of the claim.
struct SimSummary {
  double median = 0, p10 = 0, p90 = 0, mean = 0, stddev = 0, min = 0, max = 0;
  uint32_t repetitions = 0;
  double ci_low = 0, ci_high = 0;
};

SimSummary Around(double median, uint32_t repetitions, double target_ci) {
  SimSummary s;
  s.median = median;
  s.p10 = median * 0.99;
  s.p90 = median * 1.01;
  s.mean = median;
  s.stddev = median * 0.006;
  s.min = median * 0.985;
  s.max = median * 1.015;
  s.repetitions = repetitions;
  s.ci_low = median * (1 - target_ci);
  s.ci_high = median * (1 + target_ci);
  return s;
}

struct SimPrefill {
  uint32_t prompt_length = 0;
  uint64_t flops = 0;
  SimSummary time_ms, tokens_per_s;
};

struct SimDecode {
  uint32_t depth = 0;
  uint64_t flops_per_token = 0;
  SimSummary time_ms, ms_per_token, tokens_per_s;
};

struct Figures {
  agent::MeasureProtocol protocol;  // effective
  liv::WeightType type = liv::WeightType::kF32;
  liv::MemoryPlan plan;
  uint32_t max_context = 0;
  int threads = 1;
  uint64_t parameters = 0;
  uint64_t predicted_peak = 0;
  std::vector<SimPrefill> prefill;
  std::vector<SimDecode> decode;
  std::string invalid;  // why the figures cannot be computed, or ""
  uint64_t weight_bytes_read = 0;  // per decoded token
  liv::KvType kv = liv::KvType::kF32;
};

Figures Compute(const ArchSpec& spec, const agent::MeasureProtocol& requested,
                const std::string& weight_type) {
  Figures f;
  f.protocol = SimulatedEffectiveProtocol(requested);
  if (auto s = liv::ValidateArchSpec(spec); !s.ok()) {
    f.invalid = "spec: " + std::string(s.message());
    return f;
  }
  auto type = liv::ParseWeightType(weight_type.empty() ? "f32" : weight_type);
  if (!type.ok()) {
    f.invalid = "weight_type: " + std::string(type.status().message());
    return f;
  }
  f.type = *type;
  auto kv = liv::ParseKvType(f.protocol.kv_type());
  if (!kv.ok()) {
    f.invalid = "protocol.kv_type: " + std::string(kv.status().message());
    return f;
  }
  f.kv = *kv;
  const agent::MeasureProtocol& p = f.protocol;
  f.max_context = 1;
  for (uint32_t n : p.prompt_lengths()) f.max_context = std::max(f.max_context, n);
  for (uint32_t d : p.decode_depths()) f.max_context = std::max(f.max_context, d + p.decode_tokens());
  f.threads = std::max<int>(1, static_cast<int>(p.threads()));
  liv::RuntimeOptions options;
  options.max_context = f.max_context;
  options.max_batch = p.max_batch();
  options.threads = f.threads;
  options.kv_type = f.kv;
  f.plan = liv::PlanMemory(spec, f.type, options);
  f.parameters = liv::CountParameters(spec);
  f.predicted_peak = f.plan.total() + kSimulatedBaselineBytes;
  // Shared weights are stored once but read by every layer that uses them.
  f.weight_bytes_read = liv::DecodeWeightBytesRead(spec, f.type);

  const uint32_t reps = p.min_repetitions();
  const double target = p.target_ci();
  for (uint32_t n : p.prompt_lengths()) {
    SimPrefill s;
    s.prompt_length = n;
    s.flops = liv::PrefillFlops(spec, n);
    const double ms = static_cast<double>(s.flops) / kSimulatedFlopsPerSecond * 1000.0;
    s.time_ms = Around(ms, reps, target);
    s.tokens_per_s = Around(n * 1000.0 / ms, reps, target);
    f.prefill.push_back(s);
  }
  for (uint32_t depth : p.decode_depths()) {
    SimDecode s;
    s.depth = depth;
    s.flops_per_token = liv::DecodeFlops(spec, depth);
    const double bytes =
        static_cast<double>(f.weight_bytes_read) + static_cast<double>(liv::CacheBytesAt(spec, depth, liv::KvElementBytes(f.kv)).total());
    const double ms = bytes / kSimulatedBytesPerSecond * 1000.0;
    s.ms_per_token = Around(ms, reps, target);
    s.time_ms = Around(ms * p.decode_tokens(), reps, target);
    s.tokens_per_s = Around(1000.0 / ms, reps, target);
    f.decode.push_back(s);
  }
  return f;
}

void Fill(const SimSummary& from, agent::Summary* to) {
  to->set_median(from.median);
  to->set_p10(from.p10);
  to->set_p90(from.p90);
  to->set_mean(from.mean);
  to->set_stddev(from.stddev);
  to->set_min(from.min);
  to->set_max(from.max);
  to->set_repetitions(from.repetitions);
  to->set_ci95_low(from.ci_low);
  to->set_ci95_high(from.ci_high);
}

nlohmann::json ToJson(const SimSummary& s) {
  return {{"median", s.median}, {"p10", s.p10},   {"p90", s.p90},
          {"mean", s.mean},     {"stddev", s.stddev}, {"min", s.min},
          {"max", s.max},       {"repetitions", s.repetitions},
          {"ci95", {{"low", s.ci_low}, {"high", s.ci_high}}}};
}

// The point-level verdict fields liv-measure writes next to each point's summaries.
void AddVerdict(const SimSummary& time, double target, nlohmann::json& point) {
  point["repetitions"] = time.repetitions;
  point["ci95"] = {{"low", time.ci_low}, {"high", time.ci_high}};
  point["ci95_relative"] = target;
  point["bound_met"] = true;
  point["bound_reason"] = "";
  point["seconds"] = time.median * time.repetitions / 1000.0;
  point["bandwidth_gbps"] = nullptr;
}

}  // namespace

agent::MeasureProtocol SimulatedEffectiveProtocol(const agent::MeasureProtocol& requested) {
  agent::MeasureProtocol p = requested;
  if (p.prompt_lengths_size() == 0) {
    p.add_prompt_lengths(512);
    p.add_prompt_lengths(4096);
  }
  if (p.decode_depths_size() == 0) {
    p.add_decode_depths(0);
    p.add_decode_depths(4096);
  }
  if (p.decode_tokens() == 0) p.set_decode_tokens(32);
  if (!p.has_warmups()) p.set_warmups(1);
  if (p.min_repetitions() == 0) p.set_min_repetitions(6);
  if (p.max_repetitions() == 0) p.set_max_repetitions(std::max<uint32_t>(30, p.min_repetitions()));
  if (p.max_seconds_per_point() == 0) p.set_max_seconds_per_point(60);
  if (p.target_ci() == 0) p.set_target_ci(0.02);
  if (p.max_batch() == 0) p.set_max_batch(512);
  if (p.kv_type().empty()) p.set_kv_type("f32");
  return p;
}

agent::MeasureResult SimulatedMeasureResult(const ArchSpec& spec,
                                            const agent::MeasureProtocol& protocol,
                                            const std::string& weight_type) {
  agent::MeasureResult result;
  result.set_protocol_version(agent::kProtocolVersion);
  const Figures f = Compute(spec, protocol, weight_type);
  if (!f.invalid.empty()) {
    result.set_outcome(agent::MeasureResult::INVALID);
    result.set_message(f.invalid);
    return result;
  }
  result.set_outcome(agent::MeasureResult::OK);
  for (const SimPrefill& s : f.prefill) {
    agent::PrefillStats* out = result.add_prefill();
    out->set_prompt_length(s.prompt_length);
    Fill(s.time_ms, out->mutable_time_ms());
    Fill(s.tokens_per_s, out->mutable_tokens_per_s());
    out->set_bound_met(true);
  }
  for (const SimDecode& s : f.decode) {
    agent::DecodeStats* out = result.add_decode();
    out->set_depth(s.depth);
    Fill(s.ms_per_token, out->mutable_ms_per_token());
    Fill(s.tokens_per_s, out->mutable_tokens_per_s());
    out->set_bound_met(true);
  }
  result.set_peak_memory_bytes(f.predicted_peak);
  result.set_predicted_peak_memory_bytes(f.predicted_peak);
  result.set_weight_bytes(f.plan.weights);
  result.set_parameters(f.parameters);
  result.set_kernel_path(kSimulatedKernelPath);
  result.set_machine_noisy(false);
  return result;
}

std::string SimulatedLivMeasureJson(const ArchSpec& spec, const agent::MeasureProtocol& protocol,
                                    const std::string& weight_type) {
  const Figures f = Compute(spec, protocol, weight_type);
  if (!f.invalid.empty()) return "";
  const agent::MeasureProtocol& p = f.protocol;
  const double target = p.target_ci();
  nlohmann::json prefill = nlohmann::json::array(), ttft = nlohmann::json::array();
  for (const SimPrefill& s : f.prefill) {
    nlohmann::json point = {{"prompt_length", s.prompt_length},
                            {"time_ms", ToJson(s.time_ms)},
                            {"tokens_per_s", ToJson(s.tokens_per_s)},
                            {"flops", s.flops}};
    AddVerdict(s.time_ms, target, point);
    prefill.push_back(point);
    ttft.push_back({{"prompt_length", s.prompt_length}, {"ms", ToJson(s.time_ms)}});
  }
  nlohmann::json decode = nlohmann::json::array();
  for (const SimDecode& s : f.decode) {
    nlohmann::json point = {{"depth", s.depth},
                            {"decode_tokens", p.decode_tokens()},
                            {"time_ms", ToJson(s.time_ms)},
                            {"ms_per_token", ToJson(s.ms_per_token)},
                            {"tokens_per_s", ToJson(s.tokens_per_s)},
                            {"flops_per_token", s.flops_per_token},
                            {"weight_bytes_per_token", f.weight_bytes_read}};
    AddVerdict(s.time_ms, target, point);
    decode.push_back(point);
  }
  const liv::CacheBytes cache = liv::CacheBytesAt(spec, f.max_context, liv::KvElementBytes(f.kv));
  const liv::MemoryPlan& plan = f.plan;
  nlohmann::json report = {
      {"schema", "liv-measure/1"},
      {"simulated", true},
      {"model",
       {{"name", spec.name()},
        {"source", "-"},
        {"parameters", f.parameters},
        {"weight_type", std::string(liv::WeightTypeName(f.type))},
        {"kv_type", std::string(liv::KvTypeName(f.kv))},
        {"weight_bytes", plan.weights},
        {"spec", nlohmann::json::parse(liv::ArchSpecToJson(spec), nullptr, false)}}},
      {"protocol",
       {{"version", 2},
        {"prompt_lengths", std::vector<uint32_t>(p.prompt_lengths().begin(), p.prompt_lengths().end())},
        {"decode_depths", std::vector<uint32_t>(p.decode_depths().begin(), p.decode_depths().end())},
        {"decode_tokens", p.decode_tokens()},
        {"threads", f.threads},
        {"warmups", p.warmups()},
        {"min_repetitions", p.min_repetitions()},
        {"max_repetitions", p.max_repetitions()},
        {"max_seconds", p.max_seconds_per_point()},
        {"target_ci", target},
        {"confidence", 0.95},
        {"noise_probe", false},
        {"noise_probe_bytes", 0},
        {"noise_spread_limit", 2 * target},
        {"pin_cpus", std::vector<uint32_t>(p.pin_cpus().begin(), p.pin_cpus().end())},
        {"memory_cap", 0},
        {"max_context", f.max_context},
        {"max_batch", p.max_batch()},
        {"seed", 0}}},
      {"prefill", prefill},
      {"decode", decode},
      {"time_to_first_token", ttft},
      // (An object, not liv-measure's null for "no probes": the agent reads .noisy of it.)
      {"machine_noise",
       {{"probes", 0},
        {"median_gbps", kSimulatedBytesPerSecond / 1e9},
        {"min_gbps", kSimulatedBytesPerSecond / 1e9},
        {"max_gbps", kSimulatedBytesPerSecond / 1e9},
        {"spread", 0.0},
        {"spread_limit", 2 * target},
        {"noisy", false}}},
      {"memory",
       {{"peak_bytes", f.predicted_peak},
        {"valid", true},
        {"invalid_reason", ""},
        {"vm_hwm_bytes", f.predicted_peak},
        {"max_rss_plus_swap_bytes", f.predicted_peak},
        {"samples", 1},
        {"baseline_rss_bytes", kSimulatedBaselineBytes},
        {"probe_bytes", 0},
        {"predicted_peak_bytes", f.predicted_peak},
        {"predicted_over_measured", 1.0},
        {"plan",
         {{"weights", plan.weights},
          {"kv_cache", plan.kv_cache},
          {"conv_state", plan.conv_state},
          {"recurrent_state", plan.recurrent_state},
          {"activations", plan.activations},
          {"attention_scratch", plan.attention_scratch},
          {"logits", plan.logits},
          {"total", plan.total()}}},
        {"cache_bytes_at_max_context",
         {{"kv", cache.kv},
          {"conv_state", cache.conv_state},
          {"recurrent_state", cache.recurrent_state},
          {"total", cache.total()}}}}},
      {"isa_path", kSimulatedKernelPath},
      {"build", {{"version", "simulated"}, {"architecture", "simulated"}}},
      {"cpu", {{"model", "simulated"}, {"logical_cpus", 1}, {"physical_cores", 1}}},
  };
  return report.dump(2) + "\n";
}

std::string SpecTextHash(std::string_view spec_text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : spec_text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(h));
  return buffer;
}

std::string SimulatedSpecKey(const ArchSpec& spec) {
  return SpecTextHash(liv::ArchSpecToText(spec));
}

}  // namespace nas::star::testing
