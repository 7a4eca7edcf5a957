#include "liv/tools/measure_summary.h"

#include <cstdio>

namespace nas::liv {
namespace {

std::string Format(const char* fmt, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, fmt, a, b, c, d);
  return buffer;
}

double Mib(const nlohmann::json& bytes) { return bytes.get<double>() / (1 << 20); }

}  // namespace

std::string SummarizeMeasurement(const nlohmann::json& r) {
  std::string out = r["model"]["name"].get<std::string>() + " (" +
                    r["model"]["weight_type"].get<std::string>() + ", " +
                    std::to_string(r["model"]["parameters"].get<uint64_t>()) + " parameters) on " +
                    r["cpu"]["model"].get<std::string>() + ", " +
                    std::to_string(r["protocol"]["threads"].get<int>()) + " threads, kernels " +
                    r["isa_path"].get<std::string>() + "\n";
  for (const auto& p : r["prefill"]) {
    const auto& t = p["tokens_per_s"];
    out += Format("  prefill %5.0f tokens: %8.1f tokens/s (p10 %.1f, p90 %.1f)", p["prompt_length"],
                  t["median"], t["p10"], t["p90"]) +
           Format(", time to first token %.1f ms\n", p["time_ms"]["median"]);
  }
  for (const auto& d : r["decode"]) {
    const auto& t = d["ms_per_token"];
    out += Format("  decode at depth %5.0f: %7.2f ms/token (p10 %.2f, p90 %.2f)", d["depth"],
                  t["median"], t["p10"], t["p90"]) +
           Format(" = %.1f tokens/s\n", d["tokens_per_s"]["median"]);
  }
  const auto& m = r["memory"];
  out += Format("  peak memory %.1f MiB, predicted %.1f MiB (predicted/measured %.3f)\n",
                Mib(m["peak_bytes"]), Mib(m["predicted_peak_bytes"]),
                m["predicted_over_measured"]);
  return out;
}

}  // namespace nas::liv
