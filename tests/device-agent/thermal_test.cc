#include "device-agent/thermal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nas::agent {
namespace {

// A fake /sys/class/thermal with two zones.
std::string FakeThermalRoot() {
  const std::filesystem::path root = ::testing::TempDir() + "fake_thermal";
  std::filesystem::remove_all(root);
  for (auto [zone, type, millidegrees] :
       {std::tuple{"thermal_zone0", "cpu-big", "61500"}, std::tuple{"thermal_zone1", "battery", "35000"}}) {
    std::filesystem::create_directories(root / zone);
    std::ofstream(root / zone / "type") << type << "\n";
    std::ofstream(root / zone / "temp") << millidegrees << "\n";
  }
  std::filesystem::create_directories(root / "cooling_device0");  // not a sensor
  return root;
}

TEST(ThermalTest, ReadsEverySensor) {
  const auto readings = ReadThermal(FakeThermalRoot());
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_DOUBLE_EQ(Hottest(readings), 61.5);
  bool found = false;
  for (const auto& r : readings) found |= r.sensor() == "cpu-big (thermal_zone0)";
  EXPECT_TRUE(found);
  EXPECT_TRUE(ReadThermal("/nonexistent").empty());
  EXPECT_DOUBLE_EQ(Hottest({}), -273.15);
}

TEST(ThermalTest, GateWaitsUpToItsLimitWhileTooHot) {
  const std::string root = FakeThermalRoot();
  EXPECT_EQ(WaitForThermalGate(0, 10, root), 0);       // no gate
  EXPECT_LT(WaitForThermalGate(70, 10, root), 0.5);    // cool enough: passes at once
  const double waited = WaitForThermalGate(50, 1.2, root);  // too hot: waits its limit
  EXPECT_GE(waited, 1.2);
  EXPECT_LT(waited, 3.5);
}

}  // namespace
}  // namespace nas::agent
