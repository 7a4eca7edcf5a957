// What the coordinator asks the device agents: the MeasureRequest for a candidate on a
// device class, and the keys that make measurements reusable and requests idempotent.
//
// Protocol key: "p<protocol version>-<16 hex digits>", the hex digits a hash of everything
// besides the architecture that changes a measurement's figures or outcome — the space's
// measurement protocol, weight type, measurement seed and the class's memory cap. Two
// measurements of the same architecture on the same device class under the same protocol
// key are interchangeable, across generations and across campaigns.
// Request id: "<candidate hash>/<device class>/<protocol key>" (plus "/drift-g<N>" for a
// reference re-measured at generation N), so a request re-sent after a coordinator crash
// is answered by the agent from its memory of the first one instead of measured again.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/device_agent.pb.h"
#include "proto/search_space.pb.h"

namespace nas::star {

// Weights of measured candidates are generated from this seed (random, deterministic).
inline constexpr uint64_t kMeasurementSeed = 1;

// The class named `device_class` of the space; NotFound naming it otherwise.
absl::StatusOr<DeviceClass> FindDeviceClass(const SearchSpace& space,
                                            const std::string& device_class);

std::string ProtocolKey(const SearchSpace& space, const DeviceClass& device_class);

// The key a candidate's measurements are stored and reused under: ProtocolKey, plus the
// checkpoint's file name when the candidate is the reference `reference_label` read from
// a GGUF file (Reference.gguf). A checkpoint's figures come from its own weights in its own
// type, so they are never the figures of the same architecture with random weights, in
// this store, in a reuse store or in an agent's request ids.
std::string CandidateProtocolKey(const SearchSpace& space, const DeviceClass& device_class,
                                 const std::string& reference_label);

std::string MeasureRequestId(const std::string& candidate_hash, const std::string& device_class,
                             const std::string& protocol_key, int drift_generation = 0);

agent::MeasureRequest MakeMeasureRequest(const SearchSpace& space, const DeviceClass& device_class,
                                         const ArchSpec& spec, const std::string& request_id);

}  // namespace nas::star
