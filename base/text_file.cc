#include "base/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace nas {

absl::StatusOr<std::string> ReadUserFile(const std::string& path, uint64_t max_bytes,
                                         const std::string& what) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (ec) return absl::NotFoundError(absl::StrCat(path, ": cannot access: ", ec.message()));
  if (std::filesystem::is_directory(st)) {
    return absl::NotFoundError(absl::StrCat(path, ": is a directory, not ", what));
  }
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", size, " bytes is too large for ",
                                                   what, " (limit ", max_bytes, ")"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::NotFoundError(absl::StrCat(path, ": read error"));
  return contents.str();
}

}  // namespace nas
