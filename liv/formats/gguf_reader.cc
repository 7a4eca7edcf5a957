// The GGUF reader: a mapping (or borrowed bytes) plus the validated contents.

#include "liv/formats/gguf_reader.h"

#include <filesystem>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_dequantize.h"

namespace nas::liv {

bool IsGgufPath(const std::string& path) {
  if (path.empty() || path == "-") return false;
  if (absl::AsciiStrToLower(std::filesystem::path(path).extension().string()) == ".gguf") {
    return true;
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  uint32_t magic = 0;
  return in.read(reinterpret_cast<char*>(&magic), sizeof magic) && magic == kGgufMagic;
}

GgufReader::GgufReader(std::shared_ptr<const MappedFile> file, std::span<const uint8_t> bytes,
                       std::string source, GgufContents contents)
    : file_(std::move(file)),
      bytes_(bytes),
      source_(std::move(source)),
      contents_(std::move(contents)) {
  for (size_t i = 0; i < contents_.tensors.size(); ++i) {
    tensor_index_.emplace(contents_.tensors[i].name, i);
  }
}

absl::StatusOr<GgufReader> GgufReader::Open(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  const std::span<const uint8_t> bytes = file.bytes();
  NAS_ASSIGN_OR_RETURN(GgufContents contents, ParseGguf(bytes, path));
  return GgufReader(std::make_shared<const MappedFile>(std::move(file)), bytes, path,
                    std::move(contents));
}

absl::StatusOr<GgufReader> GgufReader::FromBytes(std::span<const uint8_t> bytes,
                                                 std::string source) {
  NAS_ASSIGN_OR_RETURN(GgufContents contents, ParseGguf(bytes, source));
  return GgufReader(nullptr, bytes, std::move(source), std::move(contents));
}

const GgufTensorInfo* GgufReader::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &contents_.tensors[it->second];
}

absl::StatusOr<const GgufTensorInfo*> GgufReader::GetTensor(std::string_view name) const {
  const GgufTensorInfo* info = FindTensor(name);
  if (info == nullptr) {
    return absl::NotFoundError(absl::StrCat(source_, ": no tensor '", std::string(name), "'"));
  }
  return info;
}

std::span<const uint8_t> GgufReader::TensorData(const GgufTensorInfo& info) const {
  return bytes_.subspan(contents_.data_offset + info.offset, info.byte_size);
}

absl::StatusOr<std::span<const uint8_t>> GgufReader::TensorData(std::string_view name) const {
  NAS_ASSIGN_OR_RETURN(const GgufTensorInfo* info, GetTensor(name));
  return TensorData(*info);
}

absl::StatusOr<std::vector<float>> GgufReader::TensorToF32(std::string_view name) const {
  NAS_ASSIGN_OR_RETURN(const GgufTensorInfo* info, GetTensor(name));
  return DequantizeToF32(info->type, info->element_count, TensorData(*info));
}

}  // namespace nas::liv
