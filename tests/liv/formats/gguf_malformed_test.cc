// The GGUF reader on malformed input: each class of damage, made by mutating a valid file
// from the writer, gives its own error (code, byte offset, what is wrong); truncation at
// every byte offset fails cleanly; lying lengths and counts fail before any allocation;
// the fuzzer's crashers (tests/data/gguf/crashers) stay fixed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "liv/formats/gguf_reader.h"
#include "liv/formats/gguf_writer.h"
#include "tests/liv/formats/gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::AfterString;
using gguf_test::Message;
using gguf_test::Poke;
using gguf_test::Span;
using gguf_test::TensorFields;
using ::testing::HasSubstr;

// "s" = "hi", "a" = ARRAY[UINT32] {1, 2}, tensor "t" F32 [8]: 160 bytes, the data section
// at 128 and the tensor ending exactly at the end of the file.
std::string SmallFile() {
  GgufWriter w;
  EXPECT_TRUE(w.AddMetadata("s", std::string("hi")).ok());
  GgufArray a;
  a.elements = std::vector<uint32_t>{1, 2};
  EXPECT_TRUE(w.AddMetadata("a", a).ok());
  EXPECT_TRUE(w.AddTensor("t", GgmlType::kF32, {8}, std::vector<uint8_t>(32, 0x3f)).ok());
  return w.Serialize();
}

// Two F32 [8] tensors "ta" at 0 and "tb" at 32, keys "ka" and "kb".
std::string TwoTensorFile() {
  GgufWriter w;
  EXPECT_TRUE(w.AddMetadata("ka", uint8_t{1}).ok());
  EXPECT_TRUE(w.AddMetadata("kb", uint8_t{2}).ok());
  EXPECT_TRUE(w.AddTensor("ta", GgmlType::kF32, {8}, std::vector<uint8_t>(32, 1)).ok());
  EXPECT_TRUE(w.AddTensor("tb", GgmlType::kF32, {8}, std::vector<uint8_t>(32, 2)).ok());
  return w.Serialize();
}

absl::Status Parse(const std::string& bytes) {
  return GgufReader::FromBytes(Span(bytes), "bad.gguf").status();
}

void ExpectError(const std::string& bytes, absl::StatusCode code, const std::string& message) {
  const absl::Status s = Parse(bytes);
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(Message(s), HasSubstr(message));
}

TEST(GgufMalformedTest, BaseFilesAreValid) {
  const std::string small = SmallFile();
  ASSERT_EQ(small.size(), 160u);
  EXPECT_TRUE(Parse(small).ok());
  EXPECT_TRUE(Parse(TwoTensorFile()).ok());
}

TEST(GgufMalformedTest, BadMagic) {
  std::string f = SmallFile();
  f[0] = 'X';
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "bad.gguf: at byte offset 0: bad magic 'XGUF' (expected 'GGUF'): not a GGUF file");
}

TEST(GgufMalformedTest, UnsupportedVersionIsNamed) {
  std::string f = SmallFile();
  Poke<uint32_t>(&f, 4, 2);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "bad.gguf: at byte offset 4: unsupported GGUF version 2 (only version 3 is "
              "supported)");
}

TEST(GgufMalformedTest, LyingCountsFailBeforeAllocating) {
  std::string f = SmallFile();
  Poke<uint64_t>(&f, 8, uint64_t{1} << 40);
  ExpectError(f, absl::StatusCode::kDataLoss,
              "at byte offset 8: a tensor count of 1099511627776 needs 35184372088832 bytes "
              "but only 136 are left");
  f = SmallFile();
  Poke<uint64_t>(&f, 16, uint64_t{1} << 62);
  ExpectError(f, absl::StatusCode::kDataLoss,
              "at byte offset 16: a metadata count of "
              "4611686018427387904 needs");
  f = SmallFile();
  Poke<uint64_t>(&f, 8, ~uint64_t{0});
  ExpectError(f, absl::StatusCode::kDataLoss, "a tensor count of 18446744073709551615");
}

TEST(GgufMalformedTest, LyingStringLengthFailsBeforeAllocating) {
  std::string f = SmallFile();
  const size_t value = AfterString(f, "s") + 4;  // the string value's u64 length
  Poke<uint64_t>(&f, value, uint64_t{1} << 63);
  ExpectError(f, absl::StatusCode::kDataLoss,
              "metadata key 's' of length 9223372036854775808 needs 9223372036854775808 bytes");
  f = SmallFile();
  Poke<uint64_t>(&f, 24, uint64_t{1} << 63);  // the first key's length
  ExpectError(f, absl::StatusCode::kDataLoss,
              "at byte offset 32: metadata key 0 of length 9223372036854775808");
  f = SmallFile();
  Poke<uint64_t>(&f, AfterString(f, "t") - 9, 1000);  // the tensor name's length
  ExpectError(f, absl::StatusCode::kDataLoss, "tensor 0 name of length 1000 needs 1000 bytes");
}

TEST(GgufMalformedTest, LyingArrayCountFailsBeforeAllocating) {
  std::string f = SmallFile();
  const size_t count = AfterString(f, "a") + 4 + 4;  // after the type and element type
  Poke<uint64_t>(&f, count, uint64_t{1} << 62);
  ExpectError(f, absl::StatusCode::kDataLoss,
              "metadata key 'a' array of 4611686018427387904 elements needs");
}

TEST(GgufMalformedTest, UnknownAndNestedMetadataTypes) {
  std::string f = SmallFile();
  const size_t type = AfterString(f, "s");
  Poke<int32_t>(&f, type, 13);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(type) + ": metadata key 's': unknown type 13");
  Poke<int32_t>(&f, type, -1);
  ExpectError(f, absl::StatusCode::kInvalidArgument, "metadata key 's': unknown type -1");
  f = SmallFile();
  const size_t element_type = AfterString(f, "a") + 4;
  Poke<int32_t>(&f, element_type, 9);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(element_type) +
                  ": metadata key 'a': nested arrays are not supported");
  Poke<int32_t>(&f, element_type, 99);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "metadata key 'a': unknown array element type 99");
}

TEST(GgufMalformedTest, BoolMustBeZeroOrOne) {
  std::string f = SmallFile();
  const size_t type = AfterString(f, "s");
  Poke<int32_t>(&f, type, 7);  // BOOL: the value is the string length's low byte, 2
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "metadata key 's': BOOL byte is 2, not 0 or 1");
}

TEST(GgufMalformedTest, DuplicateKeysAndTensorNames) {
  std::string f = TwoTensorFile();
  const size_t kb = AfterString(f, "kb") - 1;
  f[kb] = 'a';
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(kb - 1 - 8) + ": duplicate metadata key 'ka'");
  f = TwoTensorFile();
  const size_t tb = AfterString(f, "tb") - 1;
  f[tb] = 'a';
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(tb - 1 - 8) + ": duplicate tensor name 'ta'");
}

TEST(GgufMalformedTest, BadAlignment) {
  GgufWriter w;
  ASSERT_TRUE(w.AddMetadata("general.alignment", uint32_t{32}).ok());
  ASSERT_TRUE(w.AddTensor("t", GgmlType::kF32, {8}, std::vector<uint8_t>(32)).ok());
  const std::string good = w.Serialize();
  const size_t type = AfterString(good, "general.alignment");
  std::string f = good;
  Poke<uint32_t>(&f, type + 4, 48);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(type + 4) +
                  ": general.alignment = 48 is not a power of two");
  Poke<uint32_t>(&f, type + 4, 0);
  ExpectError(f, absl::StatusCode::kInvalidArgument, "general.alignment = 0 is not a power of two");
  f = good;
  Poke<int32_t>(&f, type, 5);
  ExpectError(f, absl::StatusCode::kInvalidArgument, "general.alignment is INT32, not UINT32");
}

TEST(GgufMalformedTest, BadDims) {
  std::string f = SmallFile();
  const auto t = TensorFields(f, "t", 1);
  Poke<uint32_t>(&f, t.n_dims, 0);
  ExpectError(
      f, absl::StatusCode::kInvalidArgument,
      "at byte offset " + std::to_string(t.n_dims) + ": tensor 't': n_dims is 0 (must be 1..4)");
  Poke<uint32_t>(&f, t.n_dims, 5);
  ExpectError(f, absl::StatusCode::kInvalidArgument, "tensor 't': n_dims is 5 (must be 1..4)");
  f = SmallFile();
  Poke<int64_t>(&f, t.dims, 0);
  ExpectError(
      f, absl::StatusCode::kInvalidArgument,
      "at byte offset " + std::to_string(t.dims) + ": tensor 't': dim 0 is 0 (must be >= 1)");
  Poke<int64_t>(&f, t.dims, -8);
  ExpectError(f, absl::StatusCode::kInvalidArgument, "tensor 't': dim 0 is -8 (must be >= 1)");
}

TEST(GgufMalformedTest, ElementCountOverflow) {
  GgufWriter w;
  ASSERT_TRUE(w.AddTensor("m", GgmlType::kF32, {2, 4}, std::vector<uint8_t>(32)).ok());
  std::string f = w.Serialize();
  const auto t = TensorFields(f, "m", 2);
  Poke<int64_t>(&f, t.dims, int64_t{1} << 32);
  Poke<int64_t>(&f, t.dims + 8, int64_t{1} << 32);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "tensor 'm': element count of dims [4294967296, 4294967296] overflows 64 bits");
  // 2^61 F32 elements take 2^63 bytes: a valid size, far past the end.
  Poke<int64_t>(&f, t.dims, int64_t{1} << 30);
  Poke<int64_t>(&f, t.dims + 8, int64_t{1} << 31);
  ExpectError(f, absl::StatusCode::kDataLoss,
              "tensor 'm' data (9223372036854775808 bytes at data offset 0) runs past the end");
  // 2^62 F32 elements fit in int64 but their 2^64 bytes do not.
  Poke<int64_t>(&f, t.dims, int64_t{1} << 62);
  Poke<int64_t>(&f, t.dims + 8, 1);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "tensor 'm': byte size of dims [4611686018427387904, 1] overflows 64 bits");
}

TEST(GgufMalformedTest, UnknownAndUnsupportedTensorTypes) {
  std::string f = SmallFile();
  const auto t = TensorFields(f, "t", 1);
  Poke<int32_t>(&f, t.type, 99);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(t.type) + ": tensor 't': unknown tensor type 99");
  Poke<int32_t>(&f, t.type, 13);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "tensor 't': unsupported tensor type 13 (Q5_K; supported: F32, F16, BF16, Q8_0, "
              "Q4_0, Q4_K, Q6_K)");
  Poke<int32_t>(&f, t.type, 4);  // a removed number
  ExpectError(f, absl::StatusCode::kInvalidArgument, "unknown tensor type 4");
  Poke<int32_t>(&f, t.type, 8);  // Q8_0 with ne[0] = 8
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "tensor 't': ne[0] = 8 is not a multiple of Q8_0's block size 32");
}

TEST(GgufMalformedTest, MisalignedOffset) {
  std::string f = SmallFile();
  const auto t = TensorFields(f, "t", 1);
  Poke<uint64_t>(&f, t.offset, 4);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "at byte offset " + std::to_string(t.offset) +
                  ": tensor 't': data offset 4 is not a multiple of the alignment 32");
}

TEST(GgufMalformedTest, TensorDataPastTheEnd) {
  std::string f = SmallFile();
  const auto t = TensorFields(f, "t", 1);
  Poke<uint64_t>(&f, t.offset, 32);
  ExpectError(f, absl::StatusCode::kDataLoss,
              "bad.gguf: at byte offset 160: tensor 't' data (32 bytes at data offset 32) runs "
              "past the end of the file (160 bytes; data section starts at 128)");
  Poke<uint64_t>(&f, t.offset, ~uint64_t{31});  // offset + size overflows
  ExpectError(f, absl::StatusCode::kDataLoss, "runs past the end of the file");
  f = SmallFile();
  Poke<int64_t>(&f, t.dims, 16);
  ExpectError(f, absl::StatusCode::kDataLoss, "tensor 't' data (64 bytes at data offset 0)");
}

TEST(GgufMalformedTest, OverlappingTensors) {
  std::string f = TwoTensorFile();
  const auto tb = TensorFields(f, "tb", 1);
  Poke<uint64_t>(&f, tb.offset, 0);
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "tensors 'ta' [0, 32) and 'tb' [0, 32) overlap in the data section");
  f = TwoTensorFile();
  Poke<int64_t>(&f, TensorFields(f, "ta", 1).dims, 16);  // ta now [0, 64)
  f += std::string(32, '\0');
  ExpectError(f, absl::StatusCode::kInvalidArgument,
              "tensors 'ta' [0, 64) and 'tb' [32, 64) overlap");
}

TEST(GgufMalformedTest, EveryTruncationFailsWithDataLoss) {
  for (const std::string& file : {SmallFile(), TwoTensorFile()}) {
    for (size_t n = 0; n < file.size(); ++n) {
      const absl::Status s = Parse(file.substr(0, n));
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << "truncated at " << n << ": " << s;
    }
  }
}

TEST(GgufMalformedTest, MissingTrailingPaddingIsAccepted) {
  GgufWriter w;
  ASSERT_TRUE(w.AddTensor("t", GgmlType::kF32, {3}, std::vector<uint8_t>(12)).ok());
  const std::string f = w.Serialize();
  ASSERT_EQ(f.size() % 32, 0u);
  // Up to the tensor's last byte, every cut fails; in the padding after it, none does.
  for (size_t n = 0; n < f.size() - 20; ++n) EXPECT_FALSE(Parse(f.substr(0, n)).ok()) << n;
  for (size_t n = f.size() - 20; n <= f.size(); ++n) EXPECT_TRUE(Parse(f.substr(0, n)).ok()) << n;
}

TEST(GgufMalformedTest, FuzzerCrashersAreRejected) {
  const std::filesystem::path dir = std::filesystem::path(NAS_TEST_DATA_DIR) / "gguf" / "crashers";
  ASSERT_TRUE(std::filesystem::is_directory(dir));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".gguf") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    EXPECT_FALSE(Parse(bytes).ok()) << entry.path();
  }
}

}  // namespace
}  // namespace nas::liv
