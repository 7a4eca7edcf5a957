// Names and block sizes of the GGUF value types and ggml tensor types.

#include "liv/formats/gguf_types.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "liv/formats/gguf_kquants.h"
#include "liv/quant/blocks.h"

namespace nas::liv {
namespace {

// ggml's type table (ggml.h, enum ggml_type); empty names are numbers that were removed.
constexpr std::array<const char*, 40> kGgmlTypeNames = {
    "F32",     "F16",    "Q4_0",    "Q4_1",  "",       "",      "Q5_0",  "Q5_1",
    "Q8_0",    "Q8_1",   "Q2_K",    "Q3_K",  "Q4_K",   "Q5_K",  "Q6_K",  "Q8_K",
    "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
    "I8",      "I16",    "I32",     "I64",   "F64",    "IQ1_M", "BF16",  "",
    "",        "",       "TQ1_0",   "TQ2_0", "",       "",      "",      "MXFP4"};

}  // namespace

std::string GgufTypeName(GgufType type) {
  static constexpr std::array<const char*, 13> kNames = {
      "UINT8", "INT8",   "UINT16", "INT16",  "UINT32", "INT32",  "FLOAT32",
      "BOOL",  "STRING", "ARRAY",  "UINT64", "INT64",  "FLOAT64"};
  const int32_t tag = static_cast<int32_t>(type);
  if (tag < 0 || tag >= static_cast<int32_t>(kNames.size())) return absl::StrCat("type ", tag);
  return kNames[tag];
}

std::optional<std::string> GgmlTypeName(int32_t type) {
  if (type < 0 || type >= static_cast<int32_t>(kGgmlTypeNames.size())) return std::nullopt;
  if (kGgmlTypeNames[type][0] == '\0') return std::nullopt;
  return kGgmlTypeNames[type];
}

bool IsSupportedGgmlType(int32_t type) {
  switch (static_cast<GgmlType>(type)) {
    case GgmlType::kF32:
    case GgmlType::kF16:
    case GgmlType::kQ4_0:
    case GgmlType::kQ8_0:
    case GgmlType::kBF16:
    case GgmlType::kQ4_K:
    case GgmlType::kQ6_K:
      return true;
  }
  return false;
}

size_t GgmlBlockElements(GgmlType type) {
  switch (type) {
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_0:
      return quant::kBlockSize;
    case GgmlType::kQ4_K:
    case GgmlType::kQ6_K:
      return kKQuantBlock;
    default:
      return 1;
  }
}

size_t GgmlBlockBytes(GgmlType type) {
  switch (type) {
    case GgmlType::kF32:
      return 4;
    case GgmlType::kF16:
    case GgmlType::kBF16:
      return 2;
    case GgmlType::kQ8_0:
      return sizeof(quant::BlockQ8_0);
    case GgmlType::kQ4_0:
      return sizeof(quant::BlockQ4_0);
    case GgmlType::kQ4_K:
      return kQ4_KBlockBytes;
    case GgmlType::kQ6_K:
      return kQ6_KBlockBytes;
  }
  return 0;
}

}  // namespace nas::liv
