#include "star/report_devices.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "liv/runtime/memory_plan.h"
#include "nlohmann/json.hpp"
#include "star/objectives.h"
#include "star/search_space_validate.h"

namespace nas::star {
namespace {

nlohmann::json ParseJson(const std::string& text) {
  if (text.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string StringAt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return "";
}

results::Stat ToStat(const agent::Summary& s) {
  results::Stat out;
  out.set_median(s.median());
  out.set_p10(s.p10());
  out.set_p90(s.p90());
  return out;
}

uint64_t PlanTotal(const ArchSpec& spec, liv::WeightType weights, liv::KvType kv, uint32_t threads,
                   uint32_t max_batch, uint32_t context) {
  liv::RuntimeOptions options;
  options.max_context = context;
  options.max_batch = max_batch;
  options.threads = static_cast<int>(std::max<uint32_t>(threads, 1));
  options.kv_type = kv;
  return liv::PlanMemory(spec, weights, options).total();
}

}  // namespace

uint32_t MeasuredContext(const agent::MeasureProtocol& protocol,
                         const agent::MeasureResult& result) {
  const nlohmann::json j = ParseJson(result.liv_measure_json());
  if (auto p = j.find("protocol"); p != j.end() && p->is_object()) {
    if (auto c = p->find("max_context"); c != p->end() && c->is_number_unsigned()) {
      return c->get<uint32_t>();
    }
  }
  const agent::MeasureProtocol p = ProtocolWithDefaults(protocol);
  const uint32_t decode_tokens = p.decode_tokens() > 0 ? p.decode_tokens() : 32;
  uint32_t context = 0;
  for (uint32_t n : p.prompt_lengths()) context = std::max(context, n);
  for (uint32_t d : p.decode_depths()) context = std::max(context, d + decode_tokens);
  return context;
}

results::DeviceFigures ReportDeviceFigures(const SearchSpace& space,
                                           const std::string& device_class, const ArchSpec& spec,
                                           const std::string& agent,
                                           const agent::MeasureResult& result) {
  results::DeviceFigures out;
  out.set_device_class(device_class);
  out.set_agent(agent);
  out.set_outcome(agent::MeasureResult::Outcome_Name(result.outcome()));
  out.set_message(result.message());
  out.set_isa_path(result.kernel_path());
  for (const agent::PrefillStats& p : result.prefill()) {
    results::PrefillPoint* point = out.add_prefill();
    point->set_prompt_length(p.prompt_length());
    *point->mutable_tokens_per_s() = ToStat(p.tokens_per_s());
    *point->mutable_time_ms() = ToStat(p.time_ms());
  }
  for (const agent::DecodeStats& d : result.decode()) {
    results::DecodePoint* point = out.add_decode();
    point->set_depth(d.depth());
    *point->mutable_ms_per_token() = ToStat(d.ms_per_token());
    *point->mutable_tokens_per_s() = ToStat(d.tokens_per_s());
  }
  if (result.outcome() != agent::MeasureResult::OK || result.peak_memory_bytes() == 0) return out;
  const double peak = static_cast<double>(ModelPeakMemoryBytes(result));
  out.set_peak_memory_bytes(peak);

  auto weights = liv::ParseWeightType(space.weight_type().empty() ? "f32" : space.weight_type());
  const std::string& kv_name = space.protocol().kv_type();
  auto kv = liv::ParseKvType(kv_name.empty() ? "f32" : kv_name);
  if (!weights.ok() || !kv.ok()) return out;
  const nlohmann::json j = ParseJson(result.liv_measure_json());
  uint32_t threads = space.protocol().threads() > 0 ? space.protocol().threads() : 1;
  if (auto p = j.find("protocol"); p != j.end() && p->is_object()) {
    if (auto t = p->find("threads"); t != p->end() && t->is_number_unsigned()) {
      threads = t->get<uint32_t>();
    }
  }
  const uint32_t max_batch = space.protocol().max_batch() > 0 ? space.protocol().max_batch() : 512;
  const uint32_t measured_context = MeasuredContext(space.protocol(), result);
  const double shift = peak - static_cast<double>(PlanTotal(spec, *weights, *kv, threads, max_batch,
                                                            measured_context));
  std::map<uint32_t, results::MemoryPoint> points;
  for (uint32_t context : kReportContexts) {
    results::MemoryPoint& point = points[context];
    point.set_context(context);
    point.set_bytes(
        static_cast<double>(PlanTotal(spec, *weights, *kv, threads, max_batch, context)) + shift);
  }
  results::MemoryPoint& measured = points[measured_context];
  measured.set_context(measured_context);
  measured.set_bytes(peak);
  measured.set_measured(true);
  for (auto& [context, point] : points) *out.add_memory_by_context() = std::move(point);
  return out;
}

results::AgentInfo ReportAgentInfo(const std::string& address, const agent::MeasureResult& result) {
  results::AgentInfo out;
  out.set_address(address);
  const nlohmann::json j = ParseJson(result.liv_measure_json());
  if (auto cpu = j.find("cpu"); cpu != j.end() && cpu->is_object()) {
    std::string text = StringAt(*cpu, "model");
    const std::string cpus = StringAt(*cpu, "logical_cpus");
    if (!cpus.empty()) absl::StrAppend(&text, " (", cpus, cpus == "1" ? " CPU)" : " CPUs)");
    out.set_cpu(text);
  }
  if (auto build = j.find("build"); build != j.end() && build->is_object()) {
    std::vector<std::string> parts;
    for (const char* key : {"version", "build_type", "architecture", "compiler"}) {
      std::string value = StringAt(*build, key);
      if (value.empty()) continue;
      parts.push_back(std::string(key) == "version" ? absl::StrCat("liv ", value) : value);
    }
    out.set_build(absl::StrJoin(parts, ", "));
  }
  const std::string isa = StringAt(j, "isa_path");
  out.set_isa_path(isa.empty() ? result.kernel_path() : isa);
  return out;
}

}  // namespace nas::star
