#include "star/gguf_reference.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_fingerprint.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/runtime/cost_model.h"
#include "star/search_space.h"

namespace nas::star {

absl::StatusOr<GgufReferenceModel> ReadGgufReference(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(liv::GgufReader reader, liv::GgufReader::Open(path));
  GgufReferenceModel model;
  NAS_ASSIGN_OR_RETURN(liv::Lfm2GgufHeader header, liv::ReadLfm2GgufHeader(reader));
  model.spec = std::move(header.spec);
  model.weight_type = std::string(liv::WeightTypeName(header.weight_type));
  model.file_name = std::filesystem::path(path).filename().string();
  model.fingerprint = liv::GgufFingerprint(reader);
  return model;
}

std::string GgufReferenceLabel(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

void MakeGgufPathsAbsolute(const std::string& space_path, SearchSpace* space) {
  for (Reference& reference : *space->mutable_references()) {
    if (!reference.has_gguf() || reference.gguf().empty()) continue;
    const std::filesystem::path resolved(ResolveSpacePath(space_path, reference.gguf()));
    reference.set_gguf(std::filesystem::absolute(resolved).lexically_normal().string());
  }
}

void UseGgufModel(const GgufReferenceModel& model, agent::MeasureRequest* request) {
  request->set_gguf(model.file_name);
  request->set_weight_type(model.weight_type);
  request->set_gguf_fingerprint(model.fingerprint);
}

}  // namespace nas::star
