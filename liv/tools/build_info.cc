#include "liv/tools/build_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "liv/kernels/kernels.h"
#include "liv/quant/quant_kernels.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv {
namespace {

std::string CpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    // x86: "model name"; ARM64 kernels print "Hardware" or nothing useful.
    if (line.rfind("model name", 0) == 0 || line.rfind("Hardware", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

nlohmann::json IsaFeatures() {
  nlohmann::json features = nlohmann::json::array();
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) features.push_back("avx2");
  if (__builtin_cpu_supports("fma")) features.push_back("fma");
  if (__builtin_cpu_supports("f16c")) features.push_back("f16c");
  if (__builtin_cpu_supports("avx512f")) features.push_back("avx512f");
  if (__builtin_cpu_supports("avx512bw")) features.push_back("avx512bw");
  if (__builtin_cpu_supports("avx512vl")) features.push_back("avx512vl");
  if (__builtin_cpu_supports("avx512vnni")) features.push_back("avx512vnni");
#elif defined(__aarch64__)
  features.push_back("neon");
#endif
  return features;
}

}  // namespace

nlohmann::json BuildInfoJson() {
  nlohmann::json kernels = nlohmann::json::array();
  for (const kernels::KernelTable* k : kernels::AllVariants()) kernels.push_back(k->name);
#if defined(__x86_64__)
  const char* arch = "x86_64";
#elif defined(__aarch64__)
  const char* arch = "aarch64";
#else
  const char* arch = "unknown";
#endif
#if defined(NDEBUG)
  const char* build_type = "release";
#else
  const char* build_type = "debug";
#endif
  return {{"version", kLivVersion},
          {"compiler", std::string("gcc-compatible ") + __VERSION__},
          {"build_type", build_type},
          {"architecture", arch},
          {"kernel_variants", kernels}};
}

nlohmann::json CpuInfoJson() {
  return {{"model", CpuModelName()},
          {"logical_cpus", std::thread::hardware_concurrency()},
          {"physical_cores", PhysicalCoreCount()},
          {"features", IsaFeatures()}};
}

nlohmann::json DescribeDeviceJson() {
  utsname u{};
  std::string os = "unknown";
  if (uname(&u) == 0) os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  const uint64_t memory = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  return {{"schema", "liv-measure-describe/1"},
          {"build", BuildInfoJson()},
          {"cpu", CpuInfoJson()},
          {"isa_path", kernels::Active().name},
          {"quant_isa_path", quant::ActiveQuant().name},
          {"total_memory_bytes", memory},
          {"os", os}};
}

}  // namespace nas::liv
