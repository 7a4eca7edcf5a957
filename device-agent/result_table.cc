#include "device-agent/result_table.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::agent {
namespace {

std::string Row(const std::string& what, const Summary& s, const char* unit, bool met,
                const std::string& reason) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-22s %10.2f %10.2f %10.2f   [%.2f, %.2f] %-9s %3u  %s\n",
                what.c_str(), s.median(), s.p10(), s.p90(), s.ci95_low(), s.ci95_high(), unit,
                s.repetitions(), met ? "yes" : ("no: " + reason).c_str());
  return line;
}

}  // namespace

std::string FormatDescription(const DeviceDescription& d) {
  std::string clusters;
  for (const CpuCluster& c : d.clusters()) {
    absl::StrAppend(&clusters, clusters.empty() ? "" : "; ", "CPUs ", absl::StrJoin(c.cpus(), ","),
                    c.max_frequency_khz() ? absl::StrCat(" @ ", c.max_frequency_khz() / 1000, " MHz")
                                          : std::string());
  }
  return absl::StrCat(
      "device        ", d.device_name(), "\n",
      "cpu           ", d.cpu_model(), " (", d.architecture(), ")\n",
      "cores         ", d.physical_cores(), " physical, ", d.logical_cpus(), " logical\n",
      "clusters      ", clusters, "\n",
      "isa           ", absl::StrJoin(d.isa_features(), " "), "\n",
      "kernel path   ", d.kernel_path(), "\n",
      "memory        ", d.total_memory_bytes() >> 20, " MiB\n",
      "os            ", d.os(), "\n",
      "thermal       ", d.thermal_sensors().empty() ? "no sensors" : absl::StrJoin(d.thermal_sensors(), ", "), "\n",
      "runner        ", d.runner(), "\n",
      "runtime build ", d.runtime_build(), "\n",
      "agent         ", d.agent_version(), ", protocol ", d.protocol_version(), "\n");
}

std::string FormatResult(const MeasureResult& r) {
  std::string out = absl::StrCat("outcome: ", MeasureResult::Outcome_Name(r.outcome()),
                                 r.message().empty() ? "" : " (" + r.message() + ")", "\n");
  if (r.outcome() != MeasureResult::OK) return out;
  absl::StrAppend(&out, "kernel path ", r.kernel_path(), ", ", r.parameters(), " parameters, ",
                  r.machine_noisy() ? "machine NOISY (bandwidth varied)" : "machine quiet", "\n");
  absl::StrAppend(&out, "  what                       median        p10        p90   95% CI of median    reps bound met\n");
  for (const PrefillStats& p : r.prefill()) {
    out += Row(absl::StrCat("prefill ", p.prompt_length(), " tok/s"), p.tokens_per_s(), "tok/s",
               p.bound_met(), p.bound_reason());
  }
  for (const DecodeStats& d : r.decode()) {
    out += Row(absl::StrCat("decode @", d.depth(), " ms/token"), d.ms_per_token(), "ms", d.bound_met(),
               d.bound_reason());
  }
  char memory[200];
  std::snprintf(memory, sizeof memory,
                "peak memory %.1f MiB (predicted %.1f MiB, weights %.1f MiB); queue wait %.0f ms; "
                "child ran %.1f s\n",
                r.peak_memory_bytes() / 1048576.0, r.predicted_peak_memory_bytes() / 1048576.0,
                r.weight_bytes() / 1048576.0, r.queue_wait_ms(),
                (r.finished_unix_ms() - r.started_unix_ms()) / 1000.0);
  return out + memory;
}

namespace {

struct Point {
  std::string name;
  std::vector<const Summary*> summaries;
  std::vector<bool> met;
};

std::string ConsistencyLine(const Point& p) {
  double lo = 1e300, hi = 0;
  for (const Summary* s : p.summaries) {
    lo = std::min(lo, s->median());
    hi = std::max(hi, s->median());
  }
  int pairs = 0, outside = 0, met = 0;
  for (size_t i = 0; i < p.summaries.size(); ++i) {
    met += p.met[i];
    for (size_t j = 0; j < p.summaries.size(); ++j) {
      if (i == j || !p.met[i] || !p.met[j]) continue;
      ++pairs;
      const double m = p.summaries[i]->median();
      outside += m < p.summaries[j]->ci95_low() || m > p.summaries[j]->ci95_high();
    }
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "  %-24s medians %.3f .. %.3f, spread %.2f%%; bound met in %d/%zu calls; "
                "%d of %d cross-checks outside the other's interval\n",
                p.name.c_str(), lo, hi, 100 * (hi / lo - 1), met, p.summaries.size(), outside,
                pairs);
  return line;
}

}  // namespace

std::string FormatConsistency(const std::vector<MeasureResult>& results) {
  std::vector<Point> points;
  auto point = [&](const std::string& name) -> Point& {
    for (Point& p : points) {
      if (p.name == name) return p;
    }
    points.push_back({name, {}, {}});
    return points.back();
  };
  for (const MeasureResult& r : results) {
    if (r.outcome() != MeasureResult::OK) continue;
    for (const PrefillStats& p : r.prefill()) {
      Point& pt = point(absl::StrCat("prefill ", p.prompt_length(), " (ms)"));
      pt.summaries.push_back(&p.time_ms());
      pt.met.push_back(p.bound_met());
    }
    for (const DecodeStats& d : r.decode()) {
      Point& pt = point(absl::StrCat("decode @", d.depth(), " (ms/token)"));
      pt.summaries.push_back(&d.ms_per_token());
      pt.met.push_back(d.bound_met());
    }
  }
  std::string out = absl::StrCat("consistency over ", results.size(), " calls:\n");
  for (const Point& p : points) out += ConsistencyLine(p);
  return out;
}

}  // namespace nas::agent
