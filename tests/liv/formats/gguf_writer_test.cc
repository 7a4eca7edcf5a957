// The GGUF writer: a byte-for-byte golden file assembled by hand from the format
// (../shared/REFERENCE.md section 2), the input checks, and the temp-file + rename write.

#include "liv/formats/gguf_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/liv/formats/gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::Bytes;
using gguf_test::F32Bytes;
using gguf_test::Le;
using gguf_test::Message;
using ::testing::HasSubstr;

TEST(GgufWriterTest, GoldenBytes) {
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("k", uint32_t{0x01020304}).ok());
  ASSERT_TRUE(writer.AddTensor("t", GgmlType::kF32, {4}, F32Bytes({1.0f, 2.0f, -0.5f, 0.0f})).ok());
  std::string expected;
  expected += Bytes({'G', 'G', 'U', 'F', 3, 0, 0, 0});  // magic, version 3
  expected += Bytes({1, 0, 0, 0, 0, 0, 0, 0});          // tensor count
  expected += Bytes({1, 0, 0, 0, 0, 0, 0, 0});          // metadata count
  expected += Bytes({1, 0, 0, 0, 0, 0, 0, 0, 'k'});     // key "k"
  expected += Bytes({4, 0, 0, 0});                      // UINT32
  expected += Bytes({0x04, 0x03, 0x02, 0x01});          // value
  expected += Bytes({1, 0, 0, 0, 0, 0, 0, 0, 't'});     // tensor name "t"
  expected += Bytes({1, 0, 0, 0});                      // n_dims
  expected += Bytes({4, 0, 0, 0, 0, 0, 0, 0});          // ne[0]
  expected += Bytes({0, 0, 0, 0});                      // F32
  expected += Bytes({0, 0, 0, 0, 0, 0, 0, 0});          // offset 0
  ASSERT_EQ(expected.size(), 74u);
  expected += std::string(96 - 74, '\0');                // pad to the data section
  expected += Bytes({0, 0, 0x80, 0x3f, 0, 0, 0, 0x40});  // 1.0f, 2.0f
  expected += Bytes({0, 0, 0, 0xbf, 0, 0, 0, 0});        // -0.5f, 0.0f
  expected += std::string(16, '\0');                     // pad the tensor to 32
  EXPECT_EQ(writer.Serialize(), expected);
}

TEST(GgufWriterTest, EmptyFileIsHeaderPaddedToAlignment) {
  GgufWriter writer;
  std::string expected = Bytes({'G', 'G', 'U', 'F', 3, 0, 0, 0}) + Le<uint64_t>(0) +
                         Le<uint64_t>(0) + std::string(8, '\0');
  EXPECT_EQ(writer.Serialize(), expected);
}

TEST(GgufWriterTest, AlignmentKeyMovesEveryTensor) {
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("general.alignment", uint32_t{64}).ok());
  ASSERT_TRUE(writer.AddTensor("a", GgmlType::kF32, {3}, F32Bytes({1, 2, 3})).ok());
  ASSERT_TRUE(writer.AddTensor("b", GgmlType::kF16, {5}, std::vector<uint8_t>(10, 1)).ok());
  ASSERT_TRUE(writer.AddTensor("c", GgmlType::kQ8_0, {32, 2}, std::vector<uint8_t>(68, 2)).ok());
  EXPECT_EQ(writer.alignment(), 64u);
  const auto infos = writer.TensorInfos();
  ASSERT_EQ(infos.size(), 3u);
  EXPECT_EQ(infos[0].offset, 0u);
  EXPECT_EQ(infos[1].offset, 64u);
  EXPECT_EQ(infos[2].offset, 128u);
  EXPECT_EQ(infos[2].byte_size, 68u);
  EXPECT_EQ(infos[2].element_count, 64u);
  // Head: 24 + key (8 + 17 + 4 + 4) + 3 infos (8 + 1 + 4 + 8n + 4 + 8) = 57 + 33 + 33 + 41;
  // data section at 192; last tensor padded to 128 + 128.
  EXPECT_EQ(writer.Serialize().size(), 192u + 256u);
}

TEST(GgufWriterTest, RejectsBadAlignments) {
  GgufWriter writer;
  auto s = writer.AddMetadata("general.alignment", uint32_t{48});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("general.alignment = 48 is not a power of two"));
  EXPECT_FALSE(writer.AddMetadata("general.alignment", uint32_t{0}).ok());
  s = writer.AddMetadata("general.alignment", uint64_t{64});
  EXPECT_THAT(Message(s), HasSubstr("general.alignment must be UINT32, not UINT64"));
  EXPECT_EQ(writer.alignment(), 32u);
  EXPECT_EQ(writer.metadata().size(), 0u);
}

TEST(GgufWriterTest, RejectsDuplicateKeysAndNestedArrays) {
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("x", int8_t{1}).ok());
  auto s = writer.AddMetadata("x", int8_t{2});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("duplicate metadata key 'x'"));
  GgufArray nested;
  nested.elements.emplace<9>();
  EXPECT_THAT(Message(writer.AddMetadata("y", nested)), HasSubstr("nested arrays"));
}

TEST(GgufWriterTest, RejectsTensorsThatDoNotMatchTheirShape) {
  GgufWriter writer;
  auto s = writer.AddTensor("w", GgmlType::kF32, {2, 3}, std::vector<uint8_t>(20));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("tensor 'w': 20 bytes of data, but F32 dims [2, 3] take 24"));
  s = writer.AddTensor("q", GgmlType::kQ4_0, {48}, std::vector<uint8_t>(27));
  EXPECT_THAT(Message(s), HasSubstr("ne[0] = 48 is not a multiple of Q4_0's block size 32"));
  s = writer.AddTensor("z", GgmlType::kF16, {4, 0}, {});
  EXPECT_THAT(Message(s), HasSubstr("dim 1 is 0 (must be >= 1)"));
  s = writer.AddTensor("d", GgmlType::kF16, {1, 1, 1, 1, 1}, std::vector<uint8_t>(2));
  EXPECT_THAT(Message(s), HasSubstr("n_dims is 5 (must be 1..4)"));
  s = writer.AddTensor("k", static_cast<GgmlType>(13), {256}, std::vector<uint8_t>(176));
  EXPECT_THAT(Message(s), HasSubstr("unsupported tensor type 13"));
  s = writer.AddTensor("k4", GgmlType::kQ4_K, {128}, std::vector<uint8_t>(72));
  EXPECT_THAT(Message(s), HasSubstr("ne[0] = 128 is not a multiple of Q4_K's block size 256"));
  EXPECT_THAT(Message(writer.AddTensor("", GgmlType::kF32, {1}, std::vector<uint8_t>(4))),
              HasSubstr("tensor name is empty"));
  ASSERT_TRUE(writer.AddTensor("w", GgmlType::kF32, {1}, std::vector<uint8_t>(4)).ok());
  EXPECT_THAT(Message(writer.AddTensor("w", GgmlType::kF32, {1}, std::vector<uint8_t>(4))),
              HasSubstr("duplicate tensor name 'w'"));
}

TEST(GgufWriterTest, WriteFileRenamesATemporaryFile) {
  const auto dir = std::filesystem::path(testing::TempDir()) / "gguf_writer_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("general.name", std::string("tiny")).ok());
  ASSERT_TRUE(writer.AddTensor("t", GgmlType::kBF16, {3}, std::vector<uint8_t>(6, 7)).ok());
  const std::string path = (dir / "tiny.gguf").string();
  ASSERT_TRUE(writer.WriteFile(path).ok());
  ASSERT_TRUE(writer.WriteFile(path).ok());  // replaces it
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(written, writer.Serialize());
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  auto s = writer.WriteFile((dir / "missing" / "x.gguf").string());
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(Message(s), HasSubstr("missing/x.gguf"));
}

}  // namespace
}  // namespace nas::liv
