#include "liv/tools/measure_model.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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
  model.weights = kGgufWeights;
  model.file_bytes = reader.bytes().size();
  auto gguf = std::make_shared<const GgufReader>(std::move(reader));
  NAS_ASSIGN_OR_RETURN(model.spec, Lfm2ArchSpecFromGguf(*gguf));  // errors name the path
  if (absl::Status status = ValidateArchSpec(model.spec, limits); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  NAS_ASSIGN_OR_RETURN(model.file_weight_type, Lfm2GgufWeightType(*gguf));
  model.gguf = std::move(gguf);
  return model;
}

}  // namespace

bool IsGgufPath(const std::string& path) {
  if (path.empty() || path == "-") return false;
  if (absl::AsciiStrToLower(std::filesystem::path(path).extension().string()) == ".gguf") {
    return true;
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, "GGUF", sizeof magic) == 0;
}

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
