#include "star/measure_requests.h"
#include "star/search_space.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/fnv1a.h"
#include "device-agent/agent_version.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "star/canonical.h"

namespace nas::star {

absl::StatusOr<DeviceClass> FindDeviceClass(const SearchSpace& space,
                                            const std::string& device_class) {
  for (const DeviceClass& d : space.devices()) {
    if (d.name() == device_class) return d;
  }
  return absl::NotFoundError(absl::StrCat("no device class \"", device_class, "\" in the space"));
}

std::string ProtocolKey(const SearchSpace& space, const DeviceClass& device_class) {
  std::string protocol;
  {
    google::protobuf::io::StringOutputStream stream(&protocol);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    space.protocol().SerializeToCodedStream(&coded);
  }
  const std::string weight_type = space.weight_type().empty() ? "f32" : space.weight_type();
  const std::string fingerprint =
      absl::StrCat(protocol.size(), ":", protocol, "|weights=", weight_type,
                   "|seed=", kMeasurementSeed, "|memory_cap=", device_class.memory_cap_bytes());
  return absl::StrCat("p", agent::kProtocolVersion, "-", Fnv1a128Hex(fingerprint).substr(0, 16));
}

std::string CandidateProtocolKey(const SearchSpace& space, const DeviceClass& device_class,
                                 const std::string& reference_label) {
  std::string key = ProtocolKey(space, device_class);
  if (reference_label.empty()) return key;  // a searched candidate
  for (const Reference& reference : space.references()) {
    if (reference.has_gguf() && ReferenceLabel(reference) == reference_label) {
      absl::StrAppend(&key, "-gguf-", std::filesystem::path(reference.gguf()).filename().string());
    }
  }
  return key;
}

std::string MeasureRequestId(const std::string& candidate_hash, const std::string& device_class,
                             const std::string& protocol_key, int drift_generation) {
  std::string id = absl::StrCat(candidate_hash, "/", device_class, "/", protocol_key);
  if (drift_generation > 0) absl::StrAppend(&id, "/drift-g", drift_generation);
  return id;
}

agent::MeasureRequest MakeMeasureRequest(const SearchSpace& space, const DeviceClass& device_class,
                                         const ArchSpec& spec, const std::string& request_id) {
  agent::MeasureRequest request;
  *request.mutable_spec() = spec;
  request.set_weight_type(space.weight_type().empty() ? "f32" : space.weight_type());
  *request.mutable_protocol() = space.protocol();
  request.set_seed(kMeasurementSeed);
  request.set_deadline_seconds(device_class.deadline_seconds());
  request.set_memory_cap_bytes(device_class.memory_cap_bytes());
  request.set_request_id(request_id);
  return request;
}

}  // namespace nas::star
