// Shape checks and byte sizes of GGUF tensors.

#include "liv/formats/gguf_tensor_info.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas::liv {

absl::StatusOr<GgufTensorSize> GgufTensorSizeOf(GgmlType type, std::span<const int64_t> dims) {
  if (dims.empty() || dims.size() > kGgufMaxDims) {
    return absl::InvalidArgumentError(
        absl::StrCat("n_dims is ", dims.size(), " (must be 1..", kGgufMaxDims, ")"));
  }
  if (!IsSupportedGgmlType(static_cast<int32_t>(type))) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported tensor type ", static_cast<int32_t>(type)));
  }
  uint64_t elements = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("dim ", i, " is ", dims[i], " (must be >= 1)"));
    }
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(dims[i]), &elements) ||
        elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return absl::InvalidArgumentError(
          absl::StrCat("element count of dims ", DimsString(dims), " overflows 64 bits"));
    }
  }
  const uint64_t block = GgmlBlockElements(type);
  if (static_cast<uint64_t>(dims[0]) % block != 0) {
    return absl::InvalidArgumentError(absl::StrCat("ne[0] = ", dims[0], " is not a multiple of ",
                                                   GgmlTypeString(type), "'s block size ", block));
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(elements / block, uint64_t{GgmlBlockBytes(type)}, &bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("byte size of dims ", DimsString(dims), " overflows 64 bits"));
  }
  return GgufTensorSize{elements, bytes};
}

std::string GgmlTypeString(GgmlType type) {
  auto name = GgmlTypeName(static_cast<int32_t>(type));
  return name ? *name : absl::StrCat("type ", static_cast<int32_t>(type));
}

std::string DimsString(std::span<const int64_t> dims) {
  return absl::StrCat("[", absl::StrJoin(dims, ", "), "]");
}

}  // namespace nas::liv
