// What liv-measure measures: the model `-m` names, resolved into its ArchSpec before
// anything large is allocated, and built only once the memory cap has been checked. A
// preset, an ArchSpec file or "-" (text format on stdin) gets deterministic random weights
// from the seed; a GGUF file (named *.gguf, or starting with the GGUF magic) is an LFM2
// checkpoint whose own weights are measured, in its own weight type unless another is
// asked for. The GGUF is opened (memory-mapped, header parsed and tensors checked) at
// resolution and stays open with the MeasuredModel. Errors are one line naming the file.
// Immutable once resolved; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_reader.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/runtime/session.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

// How the measured weights came to be, as the report's model.weights says it.
inline constexpr char kRandomWeights[] = "random";  // from the seed
inline constexpr char kGgufWeights[] = "gguf";      // the file's own

struct MeasuredModel {
  ArchSpec spec;
  std::string source;                 // what -m named: preset, path or "-"
  // A GGUF's: the open file (null for random weights) and the weight type its matrices
  // are stored in.
  std::shared_ptr<const GgufReader> gguf;
  std::optional<WeightType> file_weight_type;
};


// The model `preset_or_path` names (see above). The spec is validated against `limits`.
// A GGUF that is not LFM2 fails with InvalidArgument "PATH: unsupported architecture X
// (only lfm2)"; an unreadable one with the reader's error naming the path.
absl::StatusOr<MeasuredModel> ResolveMeasuredModel(const std::string& preset_or_path,
                                                   const ValidationLimits& limits = {});

// The runnable model: the GGUF's weights converted to `type` where needed, or random
// weights of `type` from `seed`.
absl::StatusOr<std::shared_ptr<Model>> BuildMeasuredModel(const MeasuredModel& model,
                                                          WeightType type, uint64_t seed,
                                                          int threads);

}  // namespace nas::liv
