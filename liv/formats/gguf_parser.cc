// GGUF v3 structure: header, key/values, tensor infos, then the data section's layout.

#include "liv/formats/gguf_parser.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <unordered_set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_cursor.h"
#include "liv/formats/gguf_metadata_parser.h"

namespace nas::liv {
namespace {

// Lower bounds on the bytes of one entry, to reject lying counts before reserving:
// key length + type tag + a 1-byte value; name length + n_dims + one dim + type + offset.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

absl::Status ParseHeader(GgufCursor& c, GgufContents* contents, uint64_t* tensor_count,
                         uint64_t* kv_count) {
  uint32_t magic = 0;
  NAS_RETURN_IF_ERROR(c.Read(&magic, "the magic 'GGUF'"));
  if (magic != kGgufMagic) {
    char raw[4];
    std::memcpy(raw, &magic, 4);
    return c.Invalid(0, absl::StrCat("bad magic '", absl::CHexEscape(absl::string_view(raw, 4)),
                                     "' (expected 'GGUF'): not a GGUF file"));
  }
  NAS_RETURN_IF_ERROR(c.Read(&contents->version, "the version"));
  if (contents->version != kGgufVersion) {
    return c.Invalid(4, absl::StrCat("unsupported GGUF version ", contents->version,
                                     " (only version 3 is supported)"));
  }
  NAS_RETURN_IF_ERROR(c.Read(tensor_count, "the tensor count"));
  NAS_RETURN_IF_ERROR(c.Read(kv_count, "the metadata count"));
  if (*tensor_count > c.remaining() / kMinTensorInfoBytes) {
    return c.PastEnd(8, absl::StrCat("a tensor count of ", *tensor_count),
                     *tensor_count > UINT64_MAX / kMinTensorInfoBytes
                         ? UINT64_MAX
                         : *tensor_count * kMinTensorInfoBytes,
                     c.remaining());
  }
  if (*kv_count > (c.remaining() - *tensor_count * kMinTensorInfoBytes) / kMinKvBytes) {
    return c.PastEnd(16, absl::StrCat("a metadata count of ", *kv_count),
                     *kv_count > UINT64_MAX / kMinKvBytes ? UINT64_MAX : *kv_count * kMinKvBytes,
                     c.remaining() - *tensor_count * kMinTensorInfoBytes);
  }
  return absl::OkStatus();
}

absl::Status ParseMetadata(GgufCursor& c, uint64_t kv_count, GgufContents* contents) {
  for (uint64_t i = 0; i < kv_count; ++i) {
    const uint64_t key_offset = c.offset();
    std::string key;
    NAS_RETURN_IF_ERROR(c.ReadString(&key, absl::StrCat("metadata key ", i)));
    if (contents->metadata.Find(key) != nullptr) {
      return c.Invalid(key_offset, absl::StrCat("duplicate metadata key '", key, "'"));
    }
    const uint64_t tag_offset = c.offset();
    int32_t tag = 0;
    NAS_RETURN_IF_ERROR(c.Read(&tag, absl::StrCat("the type of metadata key '", key, "'")));
    const uint64_t value_offset = c.offset();
    GgufValue value;
    NAS_RETURN_IF_ERROR(ReadGgufValue(c, tag, tag_offset, key, &value));
    if (key == kGgufAlignmentKey) {
      const uint32_t* alignment = std::get_if<uint32_t>(&value);
      if (alignment == nullptr) {
        return c.Invalid(tag_offset,
                         absl::StrCat(key, " is ", DescribeType(value), ", not UINT32"));
      }
      if (!std::has_single_bit(*alignment)) {
        return c.Invalid(value_offset,
                         absl::StrCat(key, " = ", *alignment, " is not a power of two"));
      }
      contents->alignment = *alignment;
    }
    NAS_RETURN_IF_ERROR(contents->metadata.Add(std::move(key), std::move(value)));
  }
  return absl::OkStatus();
}

absl::Status ParseTensorInfo(GgufCursor& c, uint64_t index, uint32_t alignment,
                             GgufTensorInfo* info) {
  const uint64_t start = c.offset();
  NAS_RETURN_IF_ERROR(c.ReadString(&info->name, absl::StrCat("tensor ", index, " name")));
  if (info->name.empty())
    return c.Invalid(start, absl::StrCat("tensor ", index, " has an empty name"));
  const std::string what = absl::StrCat("tensor '", info->name, "'");
  const uint64_t n_dims_offset = c.offset();
  uint32_t n_dims = 0;
  NAS_RETURN_IF_ERROR(c.Read(&n_dims, absl::StrCat(what, " n_dims")));
  if (n_dims == 0 || n_dims > kGgufMaxDims) {
    return c.Invalid(n_dims_offset, absl::StrCat(what, ": n_dims is ", n_dims, " (must be 1..",
                                                 kGgufMaxDims, ")"));
  }
  const uint64_t dims_offset = c.offset();
  info->dims.resize(n_dims);
  NAS_RETURN_IF_ERROR(c.ReadArray(info->dims.data(), n_dims, absl::StrCat(what, " dims")));
  const uint64_t type_offset = c.offset();
  int32_t type = 0;
  NAS_RETURN_IF_ERROR(c.Read(&type, absl::StrCat(what, " type")));
  if (!IsSupportedGgmlType(type)) {
    const auto name = GgmlTypeName(type);
    return c.Invalid(type_offset,
                     name ? absl::StrCat(what, ": unsupported tensor type ", type, " (", *name,
                                         "; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)")
                          : absl::StrCat(what, ": unknown tensor type ", type));
  }
  info->type = static_cast<GgmlType>(type);
  auto size = GgufTensorSizeOf(info->type, info->dims);
  if (!size.ok()) return c.Invalid(dims_offset, absl::StrCat(what, ": ", size.status().message()));
  info->element_count = size->element_count;
  info->byte_size = size->byte_size;
  const uint64_t offset_offset = c.offset();
  NAS_RETURN_IF_ERROR(c.Read(&info->offset, absl::StrCat(what, " offset")));
  if (info->offset % alignment != 0) {
    return c.Invalid(offset_offset,
                     absl::StrCat(what, ": data offset ", info->offset,
                                  " is not a multiple of the alignment ", alignment));
  }
  return absl::OkStatus();
}

// Every tensor's bytes lie inside the file and no two overlap.
absl::Status CheckDataLayout(const GgufCursor& c, const GgufContents& contents) {
  const uint64_t data_bytes = c.size() - contents.data_offset;
  for (const GgufTensorInfo& t : contents.tensors) {
    if (t.offset > data_bytes || t.byte_size > data_bytes - t.offset) {
      return absl::DataLossError(absl::StrCat(
          c.source(), ": at byte offset ", contents.data_offset + std::min(t.offset, data_bytes),
          ": tensor '", t.name, "' data (", t.byte_size, " bytes at data offset ", t.offset,
          ") runs past the end of the file (", c.size(), " bytes; data section starts at ",
          contents.data_offset, ")"));
    }
  }
  std::vector<size_t> order(contents.tensors.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return contents.tensors[a].offset < contents.tensors[b].offset;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensorInfo& prev = contents.tensors[order[i - 1]];
    const GgufTensorInfo& cur = contents.tensors[order[i]];
    if (prev.offset + prev.byte_size > cur.offset) {
      return absl::InvalidArgumentError(absl::StrCat(
          c.source(), ": at byte offset ", contents.data_offset + cur.offset, ": tensors '",
          prev.name, "' [", prev.offset, ", ", prev.offset + prev.byte_size, ") and '", cur.name,
          "' [", cur.offset, ", ", cur.offset + cur.byte_size, ") overlap in the data section"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GgufContents> ParseGguf(std::span<const uint8_t> bytes, const std::string& source) {
  GgufCursor c(bytes, source);
  GgufContents contents;
  contents.metadata = GgufMetadata(source);
  uint64_t tensor_count = 0, kv_count = 0;
  NAS_RETURN_IF_ERROR(ParseHeader(c, &contents, &tensor_count, &kv_count));
  NAS_RETURN_IF_ERROR(ParseMetadata(c, kv_count, &contents));
  contents.tensors.resize(tensor_count);
  std::unordered_set<std::string_view> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    const uint64_t start = c.offset();
    NAS_RETURN_IF_ERROR(ParseTensorInfo(c, i, contents.alignment, &contents.tensors[i]));
    if (!names.insert(contents.tensors[i].name).second) {
      return c.Invalid(start,
                       absl::StrCat("duplicate tensor name '", contents.tensors[i].name, "'"));
    }
  }
  const uint64_t end = c.offset();
  contents.data_offset = (end + contents.alignment - 1) / contents.alignment * contents.alignment;
  // Without tensors there is no data section, and the padding after the infos is optional.
  if (tensor_count == 0) return contents;
  if (contents.data_offset > c.size()) {
    return c.PastEnd(end, "the padding before the data section", contents.data_offset - end);
  }
  NAS_RETURN_IF_ERROR(CheckDataLayout(c, contents));
  return contents;
}

}  // namespace nas::liv
