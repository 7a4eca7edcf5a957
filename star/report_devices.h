// What the report shows of measurements: a candidate's figures on one device class
// (outcome, model peak memory, prefill and decode statistics, kernel path, peak memory
// against context length), and what a measurement says of the agent that made it (CPU,
// ISA path and build, from the measuring binary's liv-measure JSON).
//
// Memory against context: liv's memory plan (liv/runtime/memory_plan.h) at each context of
// kReportContexts, shifted by the measured model peak less the plan's total at the
// protocol's own context (which is the measured point), so the curve passes through the
// measurement; absent without a measured peak. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "proto/device_agent.pb.h"
#include "proto/report.pb.h"
#include "proto/search_space.pb.h"

namespace nas::star {

inline constexpr std::array<uint32_t, 8> kReportContexts = {256,  512,  1024,  2048,
                                                            4096, 8192, 16384, 32768};

results::DeviceFigures ReportDeviceFigures(const SearchSpace& space,
                                           const std::string& device_class, const ArchSpec& spec,
                                           const std::string& agent,
                                           const agent::MeasureResult& result);

// The context a measurement ran with: liv-measure's protocol.max_context when its JSON
// says, else the longest prompt or deepest decode plus the decode tokens (32 by default).
uint32_t MeasuredContext(const agent::MeasureProtocol& protocol,
                         const agent::MeasureResult& result);

// The agent's CPU ("AMD EPYC 9R14 (2 CPUs)"), ISA path and build ("liv 0.1.0, release,
// x86_64, gcc-compatible 12.2.0") from the result; fields the JSON lacks stay empty (the
// ISA path then comes from MeasureResult.kernel_path).
results::AgentInfo ReportAgentInfo(const std::string& address, const agent::MeasureResult& result);

}  // namespace nas::star
