// GGUF fingerprints: a golden value from an independent implementation, exactly which bytes
// count (the size, the header, both ends of each tensor) and which do not, and that files
// differing in their weights differ.
#include "liv/formats/gguf_fingerprint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "base/fnv1a.h"
#include "liv/formats/gguf_writer.h"
#include "tests/liv/formats/gguf_test_util.h"
#include "tests/liv/formats/lfm2_gguf_file.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::F32Bytes;
using gguf_test::Le;
using gguf_test::Span;

std::string FingerprintOf(const std::string& bytes) {
  absl::StatusOr<GgufReader> reader = GgufReader::FromBytes(Span(bytes), "test.gguf");
  EXPECT_TRUE(reader.ok()) << reader.status();
  return reader.ok() ? GgufFingerprint(*reader) : "";
}

// GgufWriterTest.GoldenBytes's 128-byte file; the value is from a separate Python FNV-1a
// 128 over pack('<Q', 128) + file[:96] + the tensor's 16 bytes.
TEST(GgufFingerprintTest, GoldenFile) {
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("k", uint32_t{0x01020304}).ok());
  ASSERT_TRUE(writer.AddTensor("t", GgmlType::kF32, {4}, F32Bytes({1.0f, 2.0f, -0.5f, 0.0f})).ok());
  const std::string file = writer.Serialize();
  ASSERT_EQ(file.size(), 128u);
  EXPECT_EQ(FingerprintOf(file), "16a2b3df1fad8e85133c09e7e203560f");
}

TEST(GgufFingerprintTest, HashesTheSizeTheHeaderAndBothEndsOfEachTensor) {
  std::vector<float> big(4096);  // 16 KiB: a 4 KiB head, 8 KiB not hashed, a 4 KiB tail
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<float>(i);
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("general.name", std::string("edges")).ok());
  ASSERT_TRUE(writer.AddTensor("big", GgmlType::kF32, {4096}, F32Bytes(big)).ok());
  ASSERT_TRUE(writer.AddTensor("small", GgmlType::kF32, {3}, F32Bytes({1, 2, 3})).ok());
  const std::string file = writer.Serialize();
  absl::StatusOr<GgufReader> reader = GgufReader::FromBytes(Span(file), "edges.gguf");
  ASSERT_TRUE(reader.ok()) << reader.status();
  const uint64_t data = reader->data_offset();
  const uint64_t big_at = data + reader->tensors()[0].offset;
  const uint64_t small_at = data + reader->tensors()[1].offset;
  const std::string expected =
      Fnv1a128Hex(Le<uint64_t>(file.size()) + file.substr(0, data) + file.substr(big_at, 4096) +
                  file.substr(big_at + 12288, 4096) + file.substr(small_at, 12));
  const std::string fingerprint = GgufFingerprint(*reader);
  EXPECT_EQ(fingerprint, expected);

  const auto flipped = [&](uint64_t at) {
    std::string copy = file;
    copy[at] ^= 0x01;
    return FingerprintOf(copy);
  };
  EXPECT_EQ(flipped(big_at + 4096), fingerprint);   // the middle of a tensor: not read
  EXPECT_EQ(flipped(big_at + 12287), fingerprint);
  EXPECT_NE(flipped(big_at + 4095), fingerprint);   // its head
  EXPECT_NE(flipped(big_at + 12288), fingerprint);  // its tail
  EXPECT_NE(flipped(small_at + 11), fingerprint);
  EXPECT_NE(flipped(data - 1), fingerprint);  // the header's padding
  EXPECT_NE(FingerprintOf(file + std::string(32, '\0')), fingerprint);  // the size
}

TEST(GgufFingerprintTest, CopiesAgreeAndOtherWeightsDiffer) {
  const ArchSpec spec = gguf_test::TinyLfm2(/*tied=*/true);
  const std::string a = gguf_test::TempPath("fingerprint_a.gguf");
  const std::string b = gguf_test::TempPath("fingerprint_b.gguf");
  const std::string copy = gguf_test::TempPath("fingerprint_copy.gguf");
  const std::string q8 = gguf_test::TempPath("fingerprint_q8.gguf");
  ASSERT_TRUE(testing::WriteLfm2Gguf(spec, a, GgmlType::kF32, 1).ok());
  ASSERT_TRUE(testing::WriteLfm2Gguf(spec, b, GgmlType::kF32, 2).ok());
  ASSERT_TRUE(testing::WriteLfm2Gguf(spec, q8, GgmlType::kQ8_0, 1).ok());
  std::filesystem::copy_file(a, copy, std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(testing::FileFingerprint(copy), testing::FileFingerprint(a));
  EXPECT_EQ(testing::FileFingerprint(a).size(), 32u);
  EXPECT_NE(testing::FileFingerprint(b), testing::FileFingerprint(a));   // another seed
  EXPECT_NE(testing::FileFingerprint(q8), testing::FileFingerprint(a));  // another type
}

}  // namespace
}  // namespace nas::liv
