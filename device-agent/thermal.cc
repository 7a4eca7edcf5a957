#include "device-agent/thermal.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace nas::agent {

std::vector<ThermalReading> ReadThermal(const std::string& root) {
  std::vector<ThermalReading> readings;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::string zone = entry.path().filename().string();
    if (zone.rfind("thermal_zone", 0) != 0) continue;
    std::ifstream temp(entry.path() / "temp"), type(entry.path() / "type");
    long millidegrees = 0;
    if (!(temp >> millidegrees)) continue;
    std::string name;
    std::getline(type, name);
    ThermalReading r;
    r.set_sensor((name.empty() ? "unknown" : name) + " (" + zone + ")");
    r.set_celsius(millidegrees / 1000.0);
    readings.push_back(r);
  }
  return readings;
}

double Hottest(const std::vector<ThermalReading>& readings) {
  double hottest = -273.15;
  for (const ThermalReading& r : readings) hottest = std::max(hottest, r.celsius());
  return hottest;
}

double WaitForThermalGate(double max_celsius, double max_wait_seconds, const std::string& root) {
  if (max_celsius <= 0) return 0;
  const auto start = std::chrono::steady_clock::now();
  auto waited = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (Hottest(ReadThermal(root)) >= max_celsius && waited() < max_wait_seconds) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return waited();
}

}  // namespace nas::agent
