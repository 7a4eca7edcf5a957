#include "device-agent/device_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "device-agent/agent_version.h"
#include "device-agent/child_process.h"
#include "device-agent/thermal.h"
#include "nlohmann/json.hpp"

namespace nas::agent {
namespace {

uint64_t TotalMemoryBytes() {
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
}

std::string OsName() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return absl::StrCat(u.sysname, " ", u.release, " ", u.machine);
}

std::string HostName() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// CPUs grouped by their maximum frequency (one group where cpufreq is absent).
std::vector<CpuCluster> Clusters(uint32_t logical_cpus) {
  std::map<uint64_t, std::vector<uint32_t>> by_frequency;
  for (uint32_t cpu = 0; cpu < logical_cpus; ++cpu) {
    std::ifstream f(absl::StrCat("/sys/devices/system/cpu/cpu", cpu, "/cpufreq/cpuinfo_max_freq"));
    uint64_t khz = 0;
    f >> khz;
    by_frequency[khz].push_back(cpu);
  }
  std::vector<CpuCluster> clusters;
  for (const auto& [khz, cpus] : by_frequency) {
    CpuCluster c;
    c.set_max_frequency_khz(khz);
    for (uint32_t cpu : cpus) c.add_cpus(cpu);
    clusters.push_back(c);
  }
  return clusters;
}

}  // namespace

absl::StatusOr<DeviceDescription> DescribeDevice(const Runner& runner,
                                                 const std::string& device_name) {
  ChildProcess child;
  ChildLimits limits;
  limits.deadline = std::chrono::seconds(60);
  auto described = child.Run(runner.Command({"--describe"}), "", limits);
  if (!described.ok()) return described.status();
  if (described->exit_code != 0) {
    return absl::UnavailableError(absl::StrCat("the measuring binary failed to describe the device (",
                                               runner.Description(), "): ", described->err));
  }
  const auto j = nlohmann::json::parse(described->out, nullptr, false);
  if (j.is_discarded() || !j.contains("cpu") || !j.contains("build")) {
    return absl::UnavailableError("the measuring binary's --describe output is not its JSON");
  }
  DeviceDescription d;
  d.set_device_name(device_name.empty() ? HostName() : device_name);
  d.set_cpu_model(j["cpu"].value("model", "unknown"));
  d.set_logical_cpus(j["cpu"].value("logical_cpus", 0u));
  d.set_physical_cores(j["cpu"].value("physical_cores", 0u));
  for (const auto& f : j["cpu"].value("features", nlohmann::json::array())) {
    d.add_isa_features(f.get<std::string>());
  }
  d.set_kernel_path(j.value("isa_path", "unknown"));
  d.set_runtime_build(j["build"].dump());
  d.set_architecture(j["build"].value("architecture", "unknown"));
  d.set_agent_version(kAgentVersion);
  d.set_protocol_version(kProtocolVersion);
  d.set_runner(runner.Description());
  // Host facts: right for local and emulated runners; for adb / ssh they describe the host
  // driving the device unless the binary reported its own.
  d.set_total_memory_bytes(j.value("total_memory_bytes", TotalMemoryBytes()));
  d.set_os(j.value("os", OsName()));
  for (const CpuCluster& c : Clusters(d.logical_cpus())) *d.add_clusters() = c;
  for (const ThermalReading& r : ReadThermal()) d.add_thermal_sensors(r.sensor());
  return d;
}

}  // namespace nas::agent
