// A bounds-checked little-endian reader over the bytes of a GGUF file, for the parser.
// Every read checks the bytes left first and fails with DataLossError naming the source,
// the byte offset and what was being read; a string's length is checked against the bytes
// left before anything is allocated. Errors for invalid values (InvalidArgumentError) use
// the same "source: at byte offset N: what" form. Not thread-safe (it moves); the bytes
// must outlive it.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace nas::liv {

class GgufCursor {
 public:
  GgufCursor(std::span<const uint8_t> bytes, std::string_view source)
      : bytes_(bytes), source_(source) {}

  uint64_t offset() const { return offset_; }
  uint64_t remaining() const { return bytes_.size() - offset_; }
  uint64_t size() const { return bytes_.size(); }
  const std::string& source() const { return source_; }

  absl::Status Invalid(uint64_t at, const std::string& what) const {
    return absl::InvalidArgumentError(Where(at, what));
  }
  // DataLoss: something needs `need` bytes at `at` and the file ends first.
  absl::Status PastEnd(uint64_t at, const std::string& what, uint64_t need) const {
    return PastEnd(at, what, need, at <= size() ? size() - at : 0);
  }
  // The same where the bytes `left` are counted from elsewhere than `at` (a count field
  // whose entries start after the fields that follow it).
  absl::Status PastEnd(uint64_t at, const std::string& what, uint64_t need, uint64_t left) const {
    return absl::DataLossError(Where(at, absl::StrCat(what, " needs ", need, " bytes but only ",
                                                      left, " are left (file size ", size(), ")")));
  }

  // Fails with PastEnd unless `n` bytes are left.
  absl::Status Need(uint64_t n, const std::string& what) const {
    if (n > remaining()) return PastEnd(offset_, what, n);
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Read(T* out, const std::string& what) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (auto s = Need(sizeof(T), what); !s.ok()) return s;
    std::memcpy(out, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return absl::OkStatus();
  }

  // Copies n * sizeof(T) bytes (already checked by the caller or checked here).
  template <typename T>
  absl::Status ReadArray(T* out, uint64_t n, const std::string& what) {
    if (n > remaining() / sizeof(T)) return PastEnd(offset_, what, n * sizeof(T));
    if (n > 0) std::memcpy(out, bytes_.data() + offset_, n * sizeof(T));
    offset_ += n * sizeof(T);
    return absl::OkStatus();
  }

  // A u64 length and that many bytes.
  absl::Status ReadString(std::string* out, const std::string& what) {
    const uint64_t at = offset_;
    uint64_t length = 0;
    if (auto s = Read(&length, absl::StrCat(what, " length")); !s.ok()) return s;
    if (length > remaining()) {
      offset_ = at;
      return PastEnd(at + 8, absl::StrCat(what, " of length ", length), length);
    }
    out->assign(reinterpret_cast<const char*>(bytes_.data() + offset_), length);
    offset_ += length;
    return absl::OkStatus();
  }

 private:
  std::string Where(uint64_t at, const std::string& what) const {
    return absl::StrCat(source_, ": at byte offset ", at, ": ", what);
  }

  std::span<const uint8_t> bytes_;
  std::string source_;
  uint64_t offset_ = 0;
};

}  // namespace nas::liv
