// GGUF v3 serialization: little-endian scalars, u64-length strings, typed arrays.

#include "liv/formats/gguf_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace nas::liv {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF is little-endian");

uint64_t AlignUp(uint64_t x, uint64_t alignment) {
  return (x + alignment - 1) / alignment * alignment;
}

template <typename T>
void Put(std::string* out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

void PutString(std::string* out, const std::string& s) {
  Put<uint64_t>(out, s.size());
  out->append(s);
}

// One scalar or string element, as stored.
template <typename T>
void PutElement(std::string* out, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    PutString(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    Put<uint8_t>(out, value ? 1 : 0);
  } else {
    Put<T>(out, value);
  }
}

void PutValue(std::string* out, const GgufValue& value) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, GgufArray>) {
          Put<int32_t>(out, static_cast<int32_t>(v.element_type()));
          Put<uint64_t>(out, v.size());
          std::visit(
              [out](const auto& elements) {
                using E = std::decay_t<decltype(elements)>;
                if constexpr (!std::is_same_v<E, std::monostate>) {
                  for (const auto& e : elements) PutElement(out, e);
                }
              },
              v.elements);
        } else {
          PutElement(out, v);
        }
      },
      value);
}

}  // namespace

absl::Status GgufWriter::AddMetadata(std::string key, GgufValue value) {
  uint32_t alignment = alignment_;
  if (key == kGgufAlignmentKey) {
    const uint32_t* a = std::get_if<uint32_t>(&value);
    if (a == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(kGgufAlignmentKey, " must be UINT32, not ", DescribeType(value)));
    }
    if (!std::has_single_bit(*a)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kGgufAlignmentKey, " = ", *a, " is not a power of two"));
    }
    alignment = *a;
  }
  if (auto status = metadata_.Add(std::move(key), std::move(value)); !status.ok()) return status;
  alignment_ = alignment;
  return absl::OkStatus();
}

absl::Status GgufWriter::AddTensor(std::string name, GgmlType type, std::vector<int64_t> dims,
                                   std::vector<uint8_t> data) {
  if (name.empty()) return absl::InvalidArgumentError("tensor name is empty");
  for (const Tensor& t : tensors_) {
    if (t.info.name == name) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate tensor name '", name, "'"));
    }
  }
  auto size = GgufTensorSizeOf(type, dims);
  if (!size.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", name, "': ", size.status().message()));
  }
  if (data.size() != size->byte_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", name, "': ", data.size(), " bytes of data, but ",
                     GgmlTypeString(type), " dims ", DimsString(dims), " take ", size->byte_size));
  }
  GgufTensorInfo info{std::move(name),     std::move(dims), type, 0,
                      size->element_count, size->byte_size};
  tensors_.push_back({std::move(info), std::move(data)});
  return absl::OkStatus();
}

std::vector<GgufTensorInfo> GgufWriter::TensorInfos() const {
  std::vector<GgufTensorInfo> infos;
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    infos.push_back(t.info);
    infos.back().offset = offset;
    offset = AlignUp(offset + t.info.byte_size, alignment_);
  }
  return infos;
}

std::string GgufWriter::SerializeHead() const {
  std::string out;
  Put<uint32_t>(&out, kGgufMagic);
  Put<uint32_t>(&out, kGgufVersion);
  Put<uint64_t>(&out, tensors_.size());
  Put<uint64_t>(&out, metadata_.size());
  for (const GgufKv& kv : metadata_.entries()) {
    PutString(&out, kv.key);
    Put<int32_t>(&out, static_cast<int32_t>(TypeOf(kv.value)));
    PutValue(&out, kv.value);
  }
  for (const GgufTensorInfo& info : TensorInfos()) {
    PutString(&out, info.name);
    Put<uint32_t>(&out, static_cast<uint32_t>(info.dims.size()));
    for (int64_t d : info.dims) Put<int64_t>(&out, d);
    Put<int32_t>(&out, static_cast<int32_t>(info.type));
    Put<uint64_t>(&out, info.offset);
  }
  out.resize(AlignUp(out.size(), alignment_), '\0');
  return out;
}

std::string GgufWriter::Serialize() const {
  std::string out = SerializeHead();
  for (const Tensor& t : tensors_) {
    out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
    out.resize(AlignUp(out.size(), alignment_), '\0');
  }
  return out;
}

absl::Status GgufWriter::WriteFile(const std::string& path) const {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create a temporary file for ", path, ": ", std::strerror(errno)));
  }
  auto fail = [&](std::string_view what) {
    const std::string message =
        absl::StrCat(std::string(what), " ", temp, ": ", std::strerror(errno));
    ::close(fd);
    ::unlink(temp.c_str());
    return absl::InternalError(message);
  };
  auto write_all = [fd](const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  // Streamed tensor by tensor, so a large model is not copied into one string.
  const std::string head = SerializeHead();
  if (!write_all(head.data(), head.size())) return fail("cannot write");
  const std::string zeros(alignment_, '\0');
  for (const Tensor& t : tensors_) {
    if (!write_all(t.data.data(), t.data.size())) return fail("cannot write");
    const size_t pad = AlignUp(t.data.size(), alignment_) - t.data.size();
    if (!write_all(zeros.data(), pad)) return fail("cannot write");
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) return fail("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat("cannot close ", temp, ": ", std::strerror(errno)));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string message =
        absl::StrCat("cannot rename ", temp, " to ", path, ": ", std::strerror(errno));
    ::unlink(temp.c_str());
    return absl::InternalError(message);
  }
  return absl::OkStatus();
}

}  // namespace nas::liv
