// Simulated measurements for coordinator tests whose campaigns must be exactly
// reproducible: instead of timing a model, the figures are derived from the spec with liv's
// cost model, so every architecture always gets the same numbers and different
// architectures get different ones (real trade-offs for NSGA-II, no timing noise).
//   prefill time     = PrefillFlops(n) at kSimulatedFlopsPerSecond
//   decode ms/token  = (weight bytes + cache bytes at the depth) at kSimulatedBytesPerSecond
//   peak memory      = the memory plan's total + kSimulatedBaselineBytes (= the prediction)
// Every Summary has p10/p90/min/max a little around the median and a 95% interval of
// exactly median +- target_ci, so the agent's widening to the claimed precision leaves it
// unchanged. The same figures come as a MeasureResult (for the in-process FakeAgent) or as
// the liv-measure/1 JSON that the real device agent parses into that MeasureResult (for
// the star-test-measure binary the agent runs in place of liv-measure).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/arch_spec.pb.h"
#include "proto/device_agent.pb.h"

namespace nas::star::testing {

inline constexpr double kSimulatedFlopsPerSecond = 20e9;  // prefill: 20 GFLOP/s
inline constexpr double kSimulatedBytesPerSecond = 20e9;  // decode: 20 GB/s
inline constexpr uint64_t kSimulatedBaselineBytes = 8ull << 20;  // the process itself
inline constexpr char kSimulatedKernelPath[] = "simulated";

// Environment of star-test-measure (see tests/star/test_measure_main.cc).
inline constexpr char kMeasureLogEnv[] = "NAS_TEST_MEASURE_LOG";
inline constexpr char kMeasureSleepEnv[] = "NAS_TEST_MEASURE_SLEEP_MS";

// The protocol with the device agent's defaults for empty fields (prompt lengths 512,4096,
// decode depths 0,4096, 32 decode tokens, 6..30 repetitions, target_ci 0.02, max batch 512).
agent::MeasureProtocol SimulatedEffectiveProtocol(const agent::MeasureProtocol& protocol);

// OK with one PrefillStats per prompt length and one DecodeStats per decode depth (in the
// protocol's order), memory, parameters, protocol_version and kernel_path "simulated".
// An invalid spec or weight type gives outcome INVALID with a message. request_id is
// left empty (the caller echoes its request's).
agent::MeasureResult SimulatedMeasureResult(const ArchSpec& spec,
                                            const agent::MeasureProtocol& protocol,
                                            const std::string& weight_type);

// The same figures as a liv-measure/1 report (what liv-measure prints on stdout); the
// device agent's parser turns it into SimulatedMeasureResult's figures. Empty when the
// spec or weight type is invalid.
std::string SimulatedLivMeasureJson(const ArchSpec& spec, const agent::MeasureProtocol& protocol,
                                    const std::string& weight_type);

// A stable 16-hex-digit FNV-1a hash of a spec's text (what the agent writes on the
// measuring binary's stdin), as star-test-measure logs it.
std::string SpecTextHash(std::string_view spec_text);
// SpecTextHash(liv::ArchSpecToText(spec)): the key of this spec's lines in the log.
std::string SimulatedSpecKey(const ArchSpec& spec);

}  // namespace nas::star::testing
