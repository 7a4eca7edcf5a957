// GGUF type tags and ggml tensor types: names, the supported subset, block sizes, and the
// shape rules of gguf_tensor_info.h.

#include "liv/formats/gguf_types.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "liv/formats/gguf_tensor_info.h"

namespace nas::liv {
namespace {

using ::testing::HasSubstr;

TEST(GgufTypesTest, MetadataTypeNames) {
  EXPECT_EQ(GgufTypeName(GgufType::kUint8), "UINT8");
  EXPECT_EQ(GgufTypeName(GgufType::kString), "STRING");
  EXPECT_EQ(GgufTypeName(GgufType::kArray), "ARRAY");
  EXPECT_EQ(GgufTypeName(GgufType::kFloat64), "FLOAT64");
  EXPECT_EQ(GgufTypeName(static_cast<GgufType>(13)), "type 13");
  EXPECT_EQ(GgufTypeName(static_cast<GgufType>(-1)), "type -1");
}

TEST(GgufTypesTest, GgmlTypesAndBlocks) {
  EXPECT_EQ(GgmlTypeName(8), "Q8_0");
  EXPECT_EQ(GgmlTypeName(12), "Q4_K");
  EXPECT_EQ(GgmlTypeName(30), "BF16");
  EXPECT_EQ(GgmlTypeName(4), std::nullopt);  // removed from ggml
  EXPECT_EQ(GgmlTypeName(40), std::nullopt);
  for (int32_t t = -1; t < 64; ++t) {
    EXPECT_EQ(IsSupportedGgmlType(t),
              t == 0 || t == 1 || t == 2 || t == 8 || t == 12 || t == 14 || t == 30)
        << t;
  }
  EXPECT_EQ(GgmlBlockElements(GgmlType::kQ4_K), 256u);
  EXPECT_EQ(GgmlBlockBytes(GgmlType::kQ4_K), 144u);
  EXPECT_EQ(GgmlBlockElements(GgmlType::kQ6_K), 256u);
  EXPECT_EQ(GgmlBlockBytes(GgmlType::kQ6_K), 210u);
  EXPECT_EQ(GgmlBlockElements(GgmlType::kQ4_0), 32u);
  EXPECT_EQ(GgmlBlockBytes(GgmlType::kQ4_0), 18u);
  EXPECT_EQ(GgmlBlockBytes(GgmlType::kQ8_0), 34u);
  EXPECT_EQ(GgmlBlockElements(GgmlType::kBF16), 1u);
  EXPECT_EQ(GgmlBlockBytes(GgmlType::kBF16), 2u);
  EXPECT_EQ(GgmlBlockBytes(GgmlType::kF32), 4u);
}

TEST(GgufTypesTest, TensorSizes) {
  const std::vector<int64_t> lfm2_embed = {1024, 65536};
  auto q4 = GgufTensorSizeOf(GgmlType::kQ4_0, lfm2_embed);
  ASSERT_TRUE(q4.ok());
  EXPECT_EQ(q4->element_count, 67108864u);
  EXPECT_EQ(q4->byte_size, 67108864u / 32 * 18);
  const std::vector<int64_t> four_d = {2, 3, 4, 5};
  EXPECT_EQ(GgufTensorSizeOf(GgmlType::kF16, four_d)->byte_size, 240u);
  const std::vector<int64_t> big = {int64_t{1} << 32, int64_t{1} << 31};
  EXPECT_THAT(std::string(GgufTensorSizeOf(GgmlType::kF32, big).status().message()),
              HasSubstr("element count of dims [4294967296, 2147483648] overflows 64 bits"));
  EXPECT_EQ(DimsString(four_d), "[2, 3, 4, 5]");
}

}  // namespace
}  // namespace nas::liv
