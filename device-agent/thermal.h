// Thermal sensors of the machine the agent runs on (Linux /sys/class/thermal), and the
// thermal gate: before a measurement, wait until the hottest sensor is below a threshold,
// at most a given time (heat dominates phone noise: ../shared/REFERENCE.md section 5).
// Stateless; thread-safe. Where the kernel exposes no sensors, readings are empty and the
// gate passes at once.
#pragma once

#include <string>
#include <vector>

#include "proto/device_agent.pb.h"

namespace nas::agent {

// Every readable sensor, "type (thermal_zoneN)" with its temperature in Celsius.
std::vector<ThermalReading> ReadThermal(const std::string& root = "/sys/class/thermal");

// The hottest reading, or -273.15 when there is none.
double Hottest(const std::vector<ThermalReading>& readings);

// Waits until Hottest(ReadThermal(root)) < max_celsius, polling every second, for at most
// max_wait_seconds; returns the seconds waited. max_celsius <= 0 disables the gate.
double WaitForThermalGate(double max_celsius, double max_wait_seconds,
                          const std::string& root = "/sys/class/thermal");

}  // namespace nas::agent
