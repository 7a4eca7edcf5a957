#include "liv/tools/measure_summary.h"

#include <cstdio>

namespace nas::liv {
namespace {

std::string Format(const char* fmt, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, fmt, a, b, c, d);
  return buffer;
}

double Number(const nlohmann::json& value) {
  return value.is_number() ? value.get<double>() : 0.0;
}

double Mib(const nlohmann::json& bytes) { return Number(bytes) / (1 << 20); }

// " [low, high]" of a summary's 95% interval, or "" without one.
std::string Interval(const nlohmann::json& summary, const char* fmt) {
  if (!summary.contains("ci95") || !summary["ci95"].is_object()) return "";
  return Format(fmt, Number(summary["ci95"]["low"]), Number(summary["ci95"]["high"]));
}

// "; 8 repetitions, bound met" or "; 30 repetitions, bound NOT met: <reason>".
std::string Verdict(const nlohmann::json& point) {
  if (!point.contains("bound_met")) return "";
  std::string out = "; " + std::to_string(point.value("repetitions", 0)) + " repetitions, ";
  if (point["bound_met"].get<bool>()) return out + "bound met";
  return out + "bound NOT met: " + point.value("bound_reason", std::string());
}

}  // namespace

std::string SummarizeMeasurement(const nlohmann::json& r) {
  std::string out = r["model"]["name"].get<std::string>() + " (" +
                    r["model"]["weight_type"].get<std::string>() + ", " +
                    (r["model"].contains("kv_type")
                         ? "KV cache " + r["model"]["kv_type"].get<std::string>() + ", "
                         : std::string()) +
                    std::to_string(r["model"]["parameters"].get<uint64_t>()) + " parameters) on " +
                    r["cpu"]["model"].get<std::string>() + ", " +
                    std::to_string(r["protocol"]["threads"].get<int>()) + " threads, kernels " +
                    r["isa_path"].get<std::string>() +
                    (r.contains("quant_isa_path") && r["model"]["weight_type"] != "f32"
                         ? ", quantized kernels " + r["quant_isa_path"].get<std::string>()
                         : std::string()) +
                    "\n";
  for (const auto& p : r["prefill"]) {
    const auto& t = p["tokens_per_s"];
    out += Format("  prefill %5.0f tokens: %8.1f tokens/s", Number(p["prompt_length"]),
                  Number(t["median"])) +
           Interval(t, " (95%% CI %.1f-%.1f)") +
           Format(", time to first token %.1f ms", Number(p["time_ms"]["median"])) +
           Interval(p["time_ms"], " (%.1f-%.1f)") + Verdict(p) + "\n";
  }
  for (const auto& d : r["decode"]) {
    const auto& t = d["ms_per_token"];
    out += Format("  decode at depth %5.0f: %7.2f ms/token", Number(d["depth"]),
                  Number(t["median"])) +
           Interval(t, " (95%% CI %.2f-%.2f)") +
           Format(" = %.1f tokens/s", Number(d["tokens_per_s"]["median"])) + Verdict(d) + "\n";
  }
  if (r.contains("machine_noise") && r["machine_noise"].is_object()) {
    const auto& n = r["machine_noise"];
    out += Format("  memory bandwidth %.1f GB/s median, %.1f..%.1f over %.0f probes",
                  Number(n["median_gbps"]), Number(n["min_gbps"]), Number(n["max_gbps"]),
                  Number(n["probes"])) +
           Format(" (spread %.1f%%, limit %.1f%%): ", 100 * Number(n["spread"]),
                  100 * Number(n["spread_limit"])) +
           (n["noisy"].get<bool>() ? "machine noisy" : "machine steady") + "\n";
  } else if (r.contains("machine_noise")) {
    out += "  memory bandwidth not probed (--no-noise-probe)\n";
  }
  const auto& m = r["memory"];
  out += Format("  peak memory %.1f MiB, predicted %.1f MiB (predicted/measured %.3f)",
                Mib(m["peak_bytes"]), Mib(m["predicted_peak_bytes"]),
                Number(m["predicted_over_measured"]));
  if (Number(m.value("probe_bytes", nlohmann::json(0))) > 0) {
    out += Format(", of which %.1f MiB bandwidth probe", Mib(m["probe_bytes"]));
  }
  out += "\n";
  if (m.contains("valid") && !m["valid"].get<bool>()) {
    out += "  memory figure INVALID: " + m.value("invalid_reason", std::string()) + "\n";
  }
  return out;
}

}  // namespace nas::liv
