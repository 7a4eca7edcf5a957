// f32 conversion of GGUF tensor bytes with hand-written blocks and exact expected values,
// through the reader (unaligned data included) and directly.

#include "liv/formats/gguf_dequantize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "liv/formats/gguf_reader.h"
#include "liv/formats/gguf_writer.h"
#include "tests/liv/formats/gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::Message;
using gguf_test::Span;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint8_t> Halves(std::initializer_list<uint16_t> h) {
  std::vector<uint8_t> out(h.size() * 2);
  std::memcpy(out.data(), h.begin(), out.size());
  return out;
}

TEST(GgufDequantizeTest, F16AndBf16WidenExactly) {
  auto f16 = DequantizeToF32(
      GgmlType::kF16, 5,
      Span(std::string(
          reinterpret_cast<const char*>(Halves({0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001}).data()),
          10)));
  ASSERT_TRUE(f16.ok());
  EXPECT_THAT(*f16, ElementsAre(1.0f, -2.0f, 0.5f, 65504.0f, std::ldexp(1.0f, -24)));
  const auto bf = Halves({0x3f80, 0xc040, 0x7f80, 0x0000});
  auto bf16 = DequantizeToF32(GgmlType::kBF16, 4, bf);
  ASSERT_TRUE(bf16.ok());
  EXPECT_THAT(*bf16, ElementsAre(1.0f, -3.0f, INFINITY, 0.0f));
  EXPECT_EQ(std::bit_cast<uint32_t>(Bf16ToFloat(0xffc1)), 0xffc10000u);
}

TEST(GgufDequantizeTest, Q8_0AndQ4_0Blocks) {
  // Q8_0: d = 0.5 (0x3800), q_j = j - 16  ->  (j - 16) / 2.
  std::vector<uint8_t> q8 = {0x00, 0x38};
  for (int j = 0; j < 32; ++j) q8.push_back(static_cast<uint8_t>(static_cast<int8_t>(j - 16)));
  auto x8 = DequantizeToF32(GgmlType::kQ8_0, 32, q8);
  ASSERT_TRUE(x8.ok());
  for (int j = 0; j < 32; ++j) EXPECT_EQ((*x8)[j], (j - 16) * 0.5f) << j;
  // Q4_0: d = 2 (0x4000); byte j holds weight j (low nibble j) and weight j + 16 (high
  // nibble 15 - j)  ->  weight j = (j - 8) * 2, weight j + 16 = (7 - j) * 2.
  std::vector<uint8_t> q4 = {0x00, 0x40};
  for (int j = 0; j < 16; ++j) q4.push_back(static_cast<uint8_t>(j | ((15 - j) << 4)));
  auto x4 = DequantizeToF32(GgmlType::kQ4_0, 32, q4);
  ASSERT_TRUE(x4.ok());
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ((*x4)[j], (j - 8) * 2.0f) << j;
    EXPECT_EQ((*x4)[j + 16], (7 - j) * 2.0f) << j;
  }
}

TEST(GgufDequantizeTest, ThroughTheReaderAtAnOddAddress) {
  GgufWriter w;
  std::vector<uint8_t> q8(34, 0);
  q8[1] = 0x3c;  // d = 1
  for (int j = 0; j < 32; ++j) q8[2 + j] = static_cast<uint8_t>(j);
  ASSERT_TRUE(w.AddTensor("q", GgmlType::kQ8_0, {32}, q8).ok());
  ASSERT_TRUE(w.AddTensor("f", GgmlType::kF32, {2}, {0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}).ok());
  // Shift the whole file by one byte so the blocks sit at odd addresses.
  std::string shifted(1, 'x');  // (not "x" + ...: GCC 12 warns falsely, -Wrestrict)
  shifted += w.Serialize();
  auto reader = GgufReader::FromBytes(Span(shifted).subspan(1));
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto q = reader->TensorToF32("q");
  ASSERT_TRUE(q.ok());
  for (int j = 0; j < 32; ++j) EXPECT_EQ((*q)[j], static_cast<float>(j));
  EXPECT_THAT(*reader->TensorToF32("f"), ElementsAre(1.0f, -2.0f));
  EXPECT_EQ(reader->TensorToF32("g").status().code(), absl::StatusCode::kNotFound);
}

TEST(GgufDequantizeTest, RejectsSizeMismatches) {
  auto s = DequantizeToF32(GgmlType::kQ4_0, 32, std::vector<uint8_t>(17));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s.status()), HasSubstr("32 elements of Q4_0 take 18 bytes, not 17"));
  EXPECT_FALSE(DequantizeToF32(GgmlType::kQ8_0, 16, std::vector<uint8_t>(34)).ok());
  EXPECT_FALSE(DequantizeToF32(static_cast<GgmlType>(3), 32, std::vector<uint8_t>(20)).ok());
}

}  // namespace
}  // namespace nas::liv
