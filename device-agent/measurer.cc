#include "device-agent/measurer.h"

#include <signal.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "device-agent/agent_version.h"
#include "device-agent/request_validation.h"
#include "device-agent/thermal.h"
#include "liv/model/arch_spec_io.h"
#include "nlohmann/json.hpp"

namespace nas::agent {
namespace {

// liv-measure's exit codes.
constexpr int kExitFailed = 1;
constexpr int kExitInvalid = 2;
constexpr int kExitOutOfMemory = 3;
constexpr int kExitCannotExecute = 127;

std::string Join(const google::protobuf::RepeatedField<uint32_t>& values) {
  return absl::StrJoin(values, ",");
}

int64_t UnixMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The last non-empty line of the child's stderr, without the tool's prefix.
std::string LastLine(const std::string& err) {
  absl::string_view text = absl::StripTrailingAsciiWhitespace(err);
  const size_t newline = text.rfind('\n');
  absl::string_view line = newline == absl::string_view::npos ? text : text.substr(newline + 1);
  absl::ConsumePrefix(&line, "liv-measure: ");
  return std::string(line.empty() ? "(no message)" : line);
}

void FillSummary(const nlohmann::json& j, Summary* s) {
  if (!j.is_object()) return;
  s->set_median(j.value("median", 0.0));
  s->set_p10(j.value("p10", 0.0));
  s->set_p90(j.value("p90", 0.0));
  s->set_mean(j.value("mean", 0.0));
  s->set_stddev(j.value("stddev", 0.0));
  s->set_min(j.value("min", 0.0));
  s->set_max(j.value("max", 0.0));
  s->set_repetitions(j.value("repetitions", 0u));
  if (j.contains("ci95") && j["ci95"].is_object()) {
    s->set_ci95_low(j["ci95"].value("low", 0.0));
    s->set_ci95_high(j["ci95"].value("high", 0.0));
  }
}

// Repetitions within one call cannot see drift between calls (a CPU that clocks
// differently a minute later), so a point that met its bound reports at least the
// precision the bound claims: the interval is widened to median +- target.
void WidenToClaimedPrecision(double target, Summary* s) {
  s->set_ci95_low(std::min(s->ci95_low(), s->median() * (1 - target)));
  s->set_ci95_high(std::max(s->ci95_high(), s->median() * (1 + target)));
}

void FillFromReport(const nlohmann::json& r, double target, MeasureResult* result) {
  for (const auto& p : r.value("prefill", nlohmann::json::array())) {
    PrefillStats* s = result->add_prefill();
    s->set_prompt_length(p.value("prompt_length", 0u));
    FillSummary(p.value("time_ms", nlohmann::json()), s->mutable_time_ms());
    FillSummary(p.value("tokens_per_s", nlohmann::json()), s->mutable_tokens_per_s());
    s->set_bound_met(p.value("bound_met", false));
    s->set_bound_reason(p.value("bound_reason", ""));
    if (s->bound_met()) {
      WidenToClaimedPrecision(target, s->mutable_time_ms());
      WidenToClaimedPrecision(target, s->mutable_tokens_per_s());
    }
  }
  for (const auto& d : r.value("decode", nlohmann::json::array())) {
    DecodeStats* s = result->add_decode();
    s->set_depth(d.value("depth", 0u));
    FillSummary(d.value("ms_per_token", nlohmann::json()), s->mutable_ms_per_token());
    FillSummary(d.value("tokens_per_s", nlohmann::json()), s->mutable_tokens_per_s());
    s->set_bound_met(d.value("bound_met", false));
    s->set_bound_reason(d.value("bound_reason", ""));
    if (s->bound_met()) {
      WidenToClaimedPrecision(target, s->mutable_ms_per_token());
      WidenToClaimedPrecision(target, s->mutable_tokens_per_s());
    }
  }
  const auto memory = r.value("memory", nlohmann::json::object());
  result->set_peak_memory_bytes(memory.value("peak_bytes", uint64_t{0}));
  result->set_predicted_peak_memory_bytes(memory.value("predicted_peak_bytes", uint64_t{0}));
  result->set_probe_bytes(memory.value("probe_bytes", uint64_t{0}));
  const auto model = r.value("model", nlohmann::json::object());
  result->set_weight_bytes(model.value("weight_bytes", uint64_t{0}));
  result->set_parameters(model.value("parameters", uint64_t{0}));
  result->set_kernel_path(r.value("isa_path", ""));
  // liv-measure writes null here when it took no bandwidth probes.
  const auto noise = r.value("machine_noise", nlohmann::json::object());
  result->set_machine_noisy(noise.is_object() && noise.value("noisy", false));
}

}  // namespace

std::vector<std::string> LivMeasureArgs(const MeasureRequest& request,
                                        const std::string& models_dir) {
  const MeasureProtocol& p = request.protocol();
  std::vector<std::string> args = {
      "-m", request.has_gguf() ? GgufModelPath(models_dir, request.gguf()) : "-",
      "-w", request.weight_type(),
      "--seed", std::to_string(request.seed()),
      "-n", std::to_string(p.decode_tokens()),
      "-t", std::to_string(p.threads()),
      "--warmups", std::to_string(p.warmups()),
      "--min-repetitions", std::to_string(p.min_repetitions()),
      "--max-repetitions", std::to_string(p.max_repetitions()),
      "--max-seconds", absl::StrCat(p.max_seconds_per_point()),
      "--target-ci", absl::StrCat(p.target_ci()),
      "--max-batch", std::to_string(p.max_batch()),
      "--kv-type", p.kv_type().empty() ? "f32" : p.kv_type(),
      "--memory-cap", std::to_string(request.memory_cap_bytes()),
      "--quiet"};
  // Empty lists mean "measure none of this kind" once the defaults were filled.
  if (p.prompt_lengths_size() > 0) args.insert(args.end(), {"-p", Join(p.prompt_lengths())});
  if (p.decode_depths_size() > 0) args.insert(args.end(), {"-d", Join(p.decode_depths())});
  if (p.pin_cpus_size() > 0) args.insert(args.end(), {"--pin-cpus", Join(p.pin_cpus())});
  return args;
}

MeasureResult ResultFromChild(const MeasureRequest& request, const ChildResult& child) {
  MeasureResult result;
  result.set_protocol_version(kProtocolVersion);
  result.set_request_id(request.request_id());
  result.set_started_unix_ms(UnixMs(child.started));
  result.set_finished_unix_ms(UnixMs(child.finished));
  result.set_child_exit_code(child.signal ? -1 : child.exit_code);
  result.set_child_signal(child.signal);
  auto outcome = [&](MeasureResult::Outcome o, const std::string& message) {
    result.set_outcome(o);
    result.set_message(message);
    return result;
  };
  switch (child.killed_for) {
    case KillReason::kDeadline:
      return outcome(MeasureResult::TIMEOUT,
                     absl::StrCat("deadline of ", request.deadline_seconds(),
                                  " s passed; the measurement was killed"));
    case KillReason::kMemoryCap:
      return outcome(MeasureResult::OUT_OF_MEMORY,
                     absl::StrCat("resident memory ", child.peak_rss_bytes,
                                  " bytes exceeded the memory cap of ", request.memory_cap_bytes(),
                                  " bytes; the measurement was killed"));
    case KillReason::kCancelled:
      return outcome(MeasureResult::CRASHED, "cancelled: the agent is shutting down");
    case KillReason::kNone:
      break;
  }
  if (child.signal != 0) {
    return outcome(MeasureResult::CRASHED,
                   absl::StrCat("the measuring process was killed by signal ", child.signal, " (",
                                strsignal(child.signal), ")",
                                child.signal == SIGKILL ? ", possibly by the kernel's OOM killer" : ""));
  }
  switch (child.exit_code) {
    case 0:
      break;
    case kExitInvalid:
      return outcome(MeasureResult::INVALID, LastLine(child.err));
    case kExitOutOfMemory:
      return outcome(MeasureResult::OUT_OF_MEMORY, LastLine(child.err));
    case kExitCannotExecute:
      return outcome(MeasureResult::CRASHED, "the measuring binary could not be started: " +
                                                 LastLine(child.err));
    case kExitFailed:
    default:
      return outcome(MeasureResult::CRASHED, absl::StrCat("the measurement failed (exit ",
                                                          child.exit_code, "): ", LastLine(child.err)));
  }
  const auto report = nlohmann::json::parse(child.out, nullptr, false);
  if (report.is_discarded() || !report.is_object() || report.value("schema", "") != "liv-measure/1") {
    return outcome(MeasureResult::CRASHED, "the measuring binary printed no liv-measure/1 report");
  }
  result.set_liv_measure_json(child.out);
  try {
    FillFromReport(report, request.protocol().target_ci(), &result);
  } catch (const nlohmann::json::exception& e) {  // a field of the wrong type
    return outcome(MeasureResult::CRASHED,
                   absl::StrCat("the measuring binary printed a malformed report: ", e.what()));
  }
  if (result.peak_memory_bytes() < result.weight_bytes()) {
    return outcome(MeasureResult::INVALID,
                   absl::StrCat("peak memory ", result.peak_memory_bytes(),
                                " bytes is below the weight bytes ", result.weight_bytes(),
                                ": the memory figure cannot be right"));
  }
  const auto memory = report.value("memory", nlohmann::json::object());
  if (memory.is_object() && !memory.value("valid", true)) {
    return outcome(MeasureResult::INVALID, memory.value("invalid_reason", "memory figure invalid"));
  }
  result.set_outcome(MeasureResult::OK);
  return result;
}

MeasureResult Measurer::Measure(const MeasureRequest& request, double queue_wait_ms,
                                ChildProcess& child, const std::function<void(int)>& on_start) {
  const MeasureProtocol& p = request.protocol();
  const double waited =
      WaitForThermalGate(p.thermal_max_celsius(), p.thermal_max_wait_seconds());
  const auto before = ReadThermal();
  ChildLimits limits;
  limits.deadline = std::chrono::seconds(request.deadline_seconds());
  limits.memory_cap_bytes = request.memory_cap_bytes();
  auto ran = child.Run(runner_.Command(LivMeasureArgs(request, models_dir_)),
                       request.has_gguf() ? "" : liv::ArchSpecToText(request.spec()), limits,
                       on_start);
  MeasureResult result;
  if (!ran.ok()) {
    result.set_protocol_version(kProtocolVersion);
    result.set_request_id(request.request_id());
    result.set_outcome(MeasureResult::CRASHED);
    result.set_message(absl::StrCat("cannot start the measuring process: ", ran.status().message()));
  } else {
    result = ResultFromChild(request, *ran);
  }
  for (const ThermalReading& r : before) *result.add_thermal_before() = r;
  for (const ThermalReading& r : ReadThermal()) *result.add_thermal_after() = r;
  result.set_thermal_wait_seconds(waited);
  result.set_queue_wait_ms(queue_wait_ms);
  return result;
}

}  // namespace nas::agent
