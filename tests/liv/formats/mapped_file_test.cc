// MappedFile: the bytes are the file's, a move keeps the address, errors name the path.

#include "liv/formats/mapped_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nas::liv {
namespace {

using ::testing::HasSubstr;

TEST(MappedFileTest, MapsTheBytesAndMovesWithoutCopying) {
  const auto path = (std::filesystem::path(testing::TempDir()) / "mapped_file_test.bin").string();
  std::ofstream(path, std::ios::binary) << std::string("GGUF\0\x01", 6);
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  const auto bytes = file->bytes();
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), std::string("GGUF\0\x01", 6));
  MappedFile moved = std::move(*file);
  EXPECT_EQ(moved.bytes().data(), bytes.data());
  EXPECT_EQ(moved.path(), path);
  EXPECT_TRUE(file->bytes().empty());
}

TEST(MappedFileTest, EmptyFileMapsToAnEmptySpan) {
  const auto path = (std::filesystem::path(testing::TempDir()) / "mapped_file_empty.bin").string();
  std::ofstream(path).close();
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->bytes().empty());
}

TEST(MappedFileTest, ErrorsNameThePath) {
  auto missing = MappedFile::Open("/nonexistent/x.gguf");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("cannot open /nonexistent/x.gguf: No such file or directory"));
  auto dir = MappedFile::Open("/");
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(dir.status().message()), "/ is not a regular file");
}

}  // namespace
}  // namespace nas::liv
