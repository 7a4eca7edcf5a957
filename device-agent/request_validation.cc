#include "device-agent/request_validation.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "liv/formats/gguf_fingerprint.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/model/lfm2_presets.h"
#include "liv/runtime/cost_model.h"

namespace nas::agent {
namespace {

absl::Status Invalid(const std::string& field, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

absl::Status CheckRange(const std::string& field, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) {
    return Invalid(field, absl::StrCat(value, " is not in [", lo, ", ", hi, "]"));
  }
  return absl::OkStatus();
}

absl::Status CheckProtocol(const MeasureProtocol& p, const AgentLimits& limits) {
  if (p.prompt_lengths_size() > static_cast<int>(limits.max_points)) {
    return Invalid("protocol.prompt_lengths", absl::StrCat("more than ", limits.max_points, " lengths"));
  }
  if (p.decode_depths_size() > static_cast<int>(limits.max_points)) {
    return Invalid("protocol.decode_depths", absl::StrCat("more than ", limits.max_points, " depths"));
  }
  for (int i = 0; i < p.prompt_lengths_size(); ++i) {
    if (auto s = CheckRange(absl::StrCat("protocol.prompt_lengths[", i, "]"), p.prompt_lengths(i),
                            1, limits.max_context);
        !s.ok()) {
      return s;
    }
  }
  if (auto s = CheckRange("protocol.decode_tokens", p.decode_tokens(), 1, 4096); !s.ok()) return s;
  for (int i = 0; i < p.decode_depths_size(); ++i) {
    if (auto s = CheckRange(absl::StrCat("protocol.decode_depths[", i, "]"),
                            static_cast<double>(p.decode_depths(i)) + p.decode_tokens(), 1, limits.max_context);
        !s.ok()) {
      return Invalid(absl::StrCat("protocol.decode_depths[", i, "]"),
                     absl::StrCat(p.decode_depths(i), " + ", p.decode_tokens(),
                                  " decode tokens exceed the context limit ", limits.max_context));
    }
  }
  const long cpus = sysconf(_SC_NPROCESSORS_CONF);
  if (auto s = CheckRange("protocol.threads", p.threads(), 0, 1024); !s.ok()) return s;
  for (int i = 0; i < p.pin_cpus_size(); ++i) {
    if (auto s = CheckRange(absl::StrCat("protocol.pin_cpus[", i, "]"), p.pin_cpus(i), 0,
                            static_cast<double>(cpus - 1));
        !s.ok()) {
      return s;
    }
  }
  if (auto s = CheckRange("protocol.warmups", p.warmups(), 0, 100); !s.ok()) return s;
  if (auto s = CheckRange("protocol.min_repetitions", p.min_repetitions(), 1,
                          limits.max_repetitions);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckRange("protocol.max_repetitions", p.max_repetitions(), p.min_repetitions(),
                          limits.max_repetitions);
      !s.ok()) {
    return Invalid("protocol.max_repetitions",
                   absl::StrCat(p.max_repetitions(), " is not in [min_repetitions (",
                                p.min_repetitions(), "), ", limits.max_repetitions, "]"));
  }
  if (auto s = CheckRange("protocol.max_seconds_per_point", p.max_seconds_per_point(), 0.001, 86400);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckRange("protocol.target_ci", p.target_ci(), 1e-6, 1); !s.ok()) return s;
  if (auto s = CheckRange("protocol.max_batch", p.max_batch(), 1, 65536); !s.ok()) return s;
  if (auto kv = liv::ParseKvType(p.kv_type()); !kv.ok()) {
    return Invalid("protocol.kv_type", std::string(kv.status().message()));
  }
  if (auto s = CheckRange("protocol.thermal_max_celsius", p.thermal_max_celsius(), 0, 150); !s.ok()) {
    return s;
  }
  return CheckRange("protocol.thermal_max_wait_seconds", p.thermal_max_wait_seconds(), 0, 3600);
}

// The spec and weight type of the request's gguf model, read from the file's header.
struct GgufModel {
  ArchSpec spec;
  liv::WeightType weight_type;
};

absl::StatusOr<GgufModel> ReadGgufModel(const std::string& name, const std::string& fingerprint,
                                        const std::string& models_dir) {
  if (name.empty()) return Invalid("gguf", "empty (a file name in the agent's models dir)");
  if (name.find('/') != std::string::npos || name == "." || name == "..") {
    return Invalid("gguf", absl::StrCat("\"", name,
                                        "\" is not a plain file name (no '/', '.' or '..')"));
  }
  if (models_dir.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "gguf: ", name, ": this agent has no models dir (start it with --models-dir)"));
  }
  const std::string path = GgufModelPath(models_dir, name);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(
        absl::StrCat("gguf: ", name, " is not a file in the models dir ", models_dir));
  }
  auto reader = liv::GgufReader::Open(path);
  if (!reader.ok()) return Invalid("gguf", std::string(reader.status().message()));
  auto header = liv::ReadLfm2GgufHeader(*reader);
  if (!header.ok()) return Invalid("gguf", std::string(header.status().message()));
  if (!fingerprint.empty()) {
    if (const std::string mine = liv::GgufFingerprint(*reader); mine != fingerprint) {
      return absl::FailedPreconditionError(absl::StrCat(
          "gguf: ", name, " in the models dir ", models_dir,
          " is not the coordinator's file (its fingerprint is ", mine,
          "; gguf_fingerprint is ", fingerprint, ")"));
    }
  }
  return GgufModel{std::move(header->spec), header->weight_type};
}

}  // namespace

std::string GgufModelPath(const std::string& models_dir, const std::string& name) {
  return (std::filesystem::path(models_dir) / name).string();
}

MeasureProtocol EffectiveProtocol(const MeasureProtocol& requested) {
  MeasureProtocol p = requested;
  if (p.prompt_lengths_size() == 0) {
    p.add_prompt_lengths(512);
    p.add_prompt_lengths(4096);
  }
  if (p.decode_depths_size() == 0) {
    p.add_decode_depths(0);
    p.add_decode_depths(4096);
  }
  if (p.decode_tokens() == 0) p.set_decode_tokens(32);
  if (!p.has_warmups()) p.set_warmups(1);
  if (p.min_repetitions() == 0) p.set_min_repetitions(6);
  if (p.max_repetitions() == 0) p.set_max_repetitions(std::max<uint32_t>(30, p.min_repetitions()));
  if (p.max_seconds_per_point() == 0) p.set_max_seconds_per_point(60);
  if (p.target_ci() == 0) p.set_target_ci(0.02);
  if (p.max_batch() == 0) p.set_max_batch(512);
  if (p.kv_type().empty()) p.set_kv_type("f32");
  return p;
}

uint64_t MemoryLimitOf(const AgentLimits& limits) {
  if (limits.max_memory_bytes > 0) return limits.max_memory_bytes;
  const uint64_t ram = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  return ram / 10 * 9;
}

absl::StatusOr<MeasureRequest> ValidateMeasureRequest(const MeasureRequest& request,
                                                      const AgentLimits& limits) {
  MeasureRequest out = request;
  liv::ValidationLimits spec_limits;
  spec_limits.max_parameters = limits.max_parameters;
  std::string default_weight_type = "f32";
  switch (request.model_case()) {
    case MeasureRequest::kPreset: {
      auto preset = liv::PresetArchSpec(request.preset());
      if (!preset.ok()) return Invalid("preset", std::string(preset.status().message()));
      *out.mutable_spec() = *preset;
      break;
    }
    case MeasureRequest::kSpec:
      break;
    case MeasureRequest::kGguf: {
      auto gguf = ReadGgufModel(request.gguf(), request.gguf_fingerprint(), limits.models_dir);
      if (!gguf.ok()) return gguf.status();
      if (auto s = liv::ValidateArchSpec(gguf->spec, spec_limits); !s.ok()) {
        return Invalid("gguf", absl::StrCat(request.gguf(), ": ", s.message()));
      }
      default_weight_type = liv::WeightTypeName(gguf->weight_type);
      break;
    }
    default:
      return Invalid("model", "set spec, preset or gguf");
  }
  if (!request.gguf_fingerprint().empty() && !request.has_gguf()) {
    return Invalid("gguf_fingerprint", "set only with gguf");
  }
  if (!out.has_gguf()) {
    if (auto s = liv::ValidateArchSpec(out.spec(), spec_limits); !s.ok()) {
      return Invalid("spec", std::string(s.message()));
    }
  }
  if (!request.weight_type().empty()) {
    if (auto t = liv::ParseWeightType(request.weight_type()); !t.ok()) {
      return Invalid("weight_type", std::string(t.status().message()));
    }
  } else {
    out.set_weight_type(default_weight_type);
  }
  *out.mutable_protocol() = EffectiveProtocol(request.protocol());
  if (auto s = CheckProtocol(out.protocol(), limits); !s.ok()) return s;
  if (request.deadline_seconds() > limits.max_deadline_seconds) {
    return Invalid("deadline_seconds", absl::StrCat(request.deadline_seconds(), " exceeds the limit of ",
                                                    limits.max_deadline_seconds));
  }
  if (request.deadline_seconds() == 0) out.set_deadline_seconds(limits.default_deadline_seconds);
  const uint64_t memory_limit = MemoryLimitOf(limits);
  if (request.memory_cap_bytes() > memory_limit) {
    return Invalid("memory_cap_bytes", absl::StrCat(request.memory_cap_bytes(),
                                                    " exceeds this agent's limit of ", memory_limit));
  }
  if (request.memory_cap_bytes() == 0) out.set_memory_cap_bytes(memory_limit);
  if (request.request_id().size() > 256) return Invalid("request_id", "longer than 256 bytes");
  return out;
}

}  // namespace nas::agent
