// A read-only, private memory mapping of a whole file (mmap PROT_READ), so that readers can
// hand out spans into it without copying. The mapping lives as long as the object (it is
// movable; the addresses do not change on a move). An empty file maps to an empty span.
// Pages no longer needed can be released (their memory given back, the mapping kept).
// The bytes are immutable; const methods are thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"

namespace nas::liv {

class MappedFile {
 public:
  // NotFound / PermissionDenied / InvalidArgument (not a regular file) / Internal, naming
  // the path and the system error.
  static absl::StatusOr<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

  // Gives the whole pages inside `range` (a part of bytes()) back to the kernel
  // (MADV_DONTNEED): they stop counting as this process's resident memory and are read
  // again from the file (its page cache) if touched later. The bytes do not change.
  void Release(std::span<const uint8_t> range) const;
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  void Unmap();

  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace nas::liv
