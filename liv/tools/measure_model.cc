#include "liv/tools/measure_model.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/model/spec_source.h"

namespace nas::liv {
namespace {

absl::StatusOr<MeasuredModel> ResolveGguf(const std::string& path,
                                          const ValidationLimits& limits) {
  NAS_ASSIGN_OR_RETURN(GgufReader reader, GgufReader::Open(path));
  MeasuredModel model;
  model.source = path;
  auto gguf = std::make_shared<const GgufReader>(std::move(reader));
  NAS_ASSIGN_OR_RETURN(Lfm2GgufHeader header, ReadLfm2GgufHeader(*gguf));  // errors name the path
  model.spec = std::move(header.spec);
  model.file_weight_type = header.weight_type;
  if (absl::Status status = ValidateArchSpec(model.spec, limits); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  model.gguf = std::move(gguf);
  return model;
}

}  // namespace

absl::StatusOr<MeasuredModel> ResolveMeasuredModel(const std::string& preset_or_path,
                                                   const ValidationLimits& limits) {
  if (IsGgufPath(preset_or_path)) return ResolveGguf(preset_or_path, limits);
  MeasuredModel model;
  NAS_ASSIGN_OR_RETURN(model.spec, LoadArchSpec(preset_or_path, limits));
  model.source = preset_or_path;
  return model;
}

absl::StatusOr<std::shared_ptr<Model>> BuildMeasuredModel(const MeasuredModel& model,
                                                          WeightType type, uint64_t seed,
                                                          int threads) {
  if (model.gguf == nullptr) return Model::CreateRandom(model.spec, type, seed, threads);
  Lfm2ImportOptions options;
  options.weight_type = type;
  options.threads = threads;
  return ImportLfm2Gguf(*model.gguf, options);
}

}  // namespace nas::liv
