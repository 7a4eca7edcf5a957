// The GGUF reader on files from the writer: every metadata type (scalars, strings, arrays
// of each, empty ones, NaN/inf and integer extremes) and every tensor type round-trip bit
// for bit with 1-D..4-D shapes and alignment 64; tensor spans point into the file's
// mapping; typed getters name the key and the actual type.

#include "liv/formats/gguf_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "liv/formats/gguf_writer.h"
#include "tests/liv/formats/gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::Message;
using gguf_test::Span;
using ::testing::HasSubstr;

constexpr float kNanF = std::bit_cast<float>(uint32_t{0x7fc12345});
constexpr double kNanD = std::bit_cast<double>(uint64_t{0xfff0000000000abcULL});

template <typename T>
GgufArray Array(std::vector<T> v) {
  GgufArray a;
  a.elements = std::move(v);
  return a;
}

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

struct TensorCase {
  std::string name;
  GgmlType type;
  std::vector<int64_t> dims;
  size_t bytes;
};

const std::vector<TensorCase>& TensorCases() {
  static const auto* cases = new std::vector<TensorCase>{
      {"f32.1d", GgmlType::kF32, {7}, 28},
      {"f16.2d", GgmlType::kF16, {5, 3}, 30},
      {"bf16.3d", GgmlType::kBF16, {2, 3, 4}, 48},
      {"q8_0.4d", GgmlType::kQ8_0, {64, 2, 1, 3}, 12 * 34},
      {"q4_0.2d", GgmlType::kQ4_0, {32, 5}, 5 * 18},
  };
  return *cases;
}

// A writer holding one key of every type and one tensor of every type, alignment 64.
GgufWriter EveryTypeWriter() {
  GgufWriter w;
  auto add = [&w](std::string key, GgufValue v) { EXPECT_TRUE(w.AddMetadata(key, v).ok()) << key; };
  add("general.alignment", uint32_t{64});
  add("u8", uint8_t{255});
  add("i8", int8_t{-128});
  add("u16", uint16_t{65535});
  add("i16", int16_t{-32768});
  add("u32", uint32_t{4294967295u});
  add("i32", int32_t{std::numeric_limits<int32_t>::min()});
  add("f32.nan", kNanF);
  add("f32.inf", -std::numeric_limits<float>::infinity());
  add("f32", 0.1f);
  add("bool.true", true);
  add("bool.false", false);
  add("str", std::string("h\xc3\xa9llo\n"));
  add("str.empty", std::string());
  add("u64", std::numeric_limits<uint64_t>::max());
  add("i64.min", std::numeric_limits<int64_t>::min());
  add("i64.max", std::numeric_limits<int64_t>::max());
  add("f64.nan", kNanD);
  add("f64.inf", std::numeric_limits<double>::infinity());
  add("f64", -1e-300);
  add("arr.u8", Array<uint8_t>({0, 1, 255}));
  add("arr.i8", Array<int8_t>({-128, 0, 127}));
  add("arr.u16", Array<uint16_t>({1, 65535}));
  add("arr.i16", Array<int16_t>({-32768, 32767}));
  add("arr.u32", Array<uint32_t>({0, 7, 4294967295u}));
  add("arr.i32", Array<int32_t>({0, 1, 0, 0, 1, 0, 1, 0, 0, 1}));
  add("arr.f32", Array<float>({kNanF, std::numeric_limits<float>::infinity(), -0.0f, 1.5f}));
  add("arr.bool", Array<bool>({true, false, true}));
  add("arr.str", Array<std::string>({"a", "", "<|im_start|>"}));
  add("arr.u64", Array<uint64_t>({std::numeric_limits<uint64_t>::max(), 0}));
  add("arr.i64",
      Array<int64_t>({std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}));
  add("arr.f64", Array<double>({kNanD, -std::numeric_limits<double>::infinity(), 0.25}));
  add("arr.empty.u32", Array<uint32_t>({}));
  add("arr.empty.str", Array<std::string>({}));
  add("arr.empty.bool", Array<bool>({}));
  uint32_t seed = 1;
  for (const TensorCase& t : TensorCases()) {
    EXPECT_TRUE(w.AddTensor(t.name, t.type, t.dims, RandomBytes(t.bytes, seed++)).ok()) << t.name;
  }
  return w;
}

// Rebuilds a writer from what a reader read: equal bytes prove a bit-exact round trip.
std::string Reserialize(const GgufReader& reader) {
  GgufWriter w;
  for (const GgufKv& kv : reader.metadata().entries())
    EXPECT_TRUE(w.AddMetadata(kv.key, kv.value).ok());
  for (const GgufTensorInfo& t : reader.tensors()) {
    const auto data = reader.TensorData(t);
    EXPECT_TRUE(w.AddTensor(t.name, t.type, t.dims, {data.begin(), data.end()}).ok());
  }
  return w.Serialize();
}

TEST(GgufReaderTest, EveryTypeRoundTripsBitExactly) {
  const GgufWriter writer = EveryTypeWriter();
  const std::string bytes = writer.Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes), "every_type.gguf");
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->version(), 3u);
  EXPECT_EQ(reader->alignment(), 64u);
  EXPECT_EQ(reader->data_offset() % 64, 0u);
  EXPECT_EQ(Reserialize(*reader), bytes);

  // Keys in insertion order with their types.
  const auto& entries = reader->metadata().entries();
  const auto& written = writer.metadata().entries();
  ASSERT_EQ(entries.size(), written.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].key, written[i].key);
    EXPECT_EQ(DescribeType(entries[i].value), DescribeType(written[i].value)) << entries[i].key;
  }

  const GgufMetadata& m = reader->metadata();
  EXPECT_EQ(*m.GetUint8("u8"), 255);
  EXPECT_EQ(*m.GetInt8("i8"), -128);
  EXPECT_EQ(*m.GetUint16("u16"), 65535);
  EXPECT_EQ(*m.GetInt16("i16"), -32768);
  EXPECT_EQ(*m.GetUint32("u32"), 4294967295u);
  EXPECT_EQ(*m.GetInt32("i32"), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(std::bit_cast<uint32_t>(*m.GetFloat32("f32.nan")), 0x7fc12345u);
  EXPECT_EQ(std::bit_cast<uint32_t>(*m.GetFloat32("f32.inf")), 0xff800000u);
  EXPECT_EQ(std::bit_cast<uint32_t>(*m.GetFloat32("f32")), std::bit_cast<uint32_t>(0.1f));
  EXPECT_EQ(*m.GetBool("bool.true"), true);
  EXPECT_EQ(*m.GetBool("bool.false"), false);
  EXPECT_EQ(*m.GetString("str"), "h\xc3\xa9llo\n");
  EXPECT_EQ(*m.GetString("str.empty"), "");
  EXPECT_EQ(*m.GetUint64("u64"), 18446744073709551615ULL);
  EXPECT_EQ(*m.GetInt64("i64.min"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*m.GetInt64("i64.max"), 9223372036854775807LL);
  EXPECT_EQ(std::bit_cast<uint64_t>(*m.GetFloat64("f64.nan")), 0xfff0000000000abcULL);
  EXPECT_EQ(std::bit_cast<uint64_t>(*m.GetFloat64("f64.inf")), 0x7ff0000000000000ULL);
  EXPECT_EQ(*m.GetFloat64("f64"), -1e-300);
  EXPECT_EQ(**m.GetArray<uint8_t>("arr.u8"), (std::vector<uint8_t>{0, 1, 255}));
  EXPECT_EQ(**m.GetArray<int8_t>("arr.i8"), (std::vector<int8_t>{-128, 0, 127}));
  EXPECT_EQ(**m.GetArray<uint16_t>("arr.u16"), (std::vector<uint16_t>{1, 65535}));
  EXPECT_EQ(**m.GetArray<int16_t>("arr.i16"), (std::vector<int16_t>{-32768, 32767}));
  EXPECT_EQ(**m.GetUint32Array("arr.u32"), (std::vector<uint32_t>{0, 7, 4294967295u}));
  EXPECT_EQ(**m.GetInt32Array("arr.i32"), (std::vector<int32_t>{0, 1, 0, 0, 1, 0, 1, 0, 0, 1}));
  const auto& f32s = **m.GetFloat32Array("arr.f32");
  ASSERT_EQ(f32s.size(), 4u);
  EXPECT_EQ(std::bit_cast<uint32_t>(f32s[0]), 0x7fc12345u);
  EXPECT_EQ(std::bit_cast<uint32_t>(f32s[2]), 0x80000000u);  // -0.0 kept
  EXPECT_EQ(**m.GetArray<bool>("arr.bool"), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(**m.GetStringArray("arr.str"), (std::vector<std::string>{"a", "", "<|im_start|>"}));
  EXPECT_EQ(**m.GetArray<uint64_t>("arr.u64"), (std::vector<uint64_t>{18446744073709551615ULL, 0}));
  EXPECT_EQ((**m.GetArray<int64_t>("arr.i64"))[0], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::bit_cast<uint64_t>((**m.GetArray<double>("arr.f64"))[0]), 0xfff0000000000abcULL);
  EXPECT_TRUE((*m.GetUint32Array("arr.empty.u32"))->empty());
  EXPECT_TRUE((*m.GetStringArray("arr.empty.str"))->empty());
  EXPECT_TRUE((*m.GetArray<bool>("arr.empty.bool"))->empty());
}

TEST(GgufReaderTest, EveryTensorTypeRoundTripsAligned) {
  const std::string bytes = EveryTypeWriter().Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->tensors().size(), TensorCases().size());
  uint32_t seed = 1;
  for (size_t i = 0; i < TensorCases().size(); ++i) {
    const TensorCase& c = TensorCases()[i];
    const GgufTensorInfo& t = reader->tensors()[i];
    EXPECT_EQ(t.name, c.name);
    EXPECT_EQ(t.type, c.type);
    EXPECT_EQ(t.dims, c.dims);
    EXPECT_EQ(t.byte_size, c.bytes);
    EXPECT_EQ(t.offset % 64, 0u) << c.name;
    auto data = reader->TensorData(c.name);
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(
        (reinterpret_cast<uintptr_t>(data->data()) - reinterpret_cast<uintptr_t>(bytes.data())) %
            64,
        0u)
        << c.name;
    EXPECT_EQ(std::vector<uint8_t>(data->begin(), data->end()), RandomBytes(c.bytes, seed++))
        << c.name;
  }
  EXPECT_EQ(reader->tensors()[1].element_count, 15u);
  EXPECT_EQ(reader->tensors()[3].element_count, 384u);
  EXPECT_EQ(reader->FindTensor("nope"), nullptr);
  auto missing = reader->TensorData("nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing.status()), HasSubstr("<memory>: no tensor 'nope'"));
}

// The address range of the /proc/self/maps line that contains `p`, with its path.
std::string MappingOf(const void* p) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode >> path;
    const size_t dash = range.find('-');
    const uintptr_t lo = std::stoull(range.substr(0, dash), nullptr, 16);
    const uintptr_t hi = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (addr >= lo && addr < hi) return perms + " " + path;
  }
  return "";
}

TEST(GgufReaderTest, OpenMapsTheFileAndSpansPointIntoTheMapping) {
  const auto path =
      (std::filesystem::path(testing::TempDir()) / "gguf_reader_zero_copy.gguf").string();
  const GgufWriter writer = EveryTypeWriter();
  ASSERT_TRUE(writer.WriteFile(path).ok());
  auto opened = GgufReader::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status();
  GgufReader reader = std::move(*opened);  // a move keeps the mapping
  EXPECT_EQ(reader.source(), path);
  const auto file = reader.bytes();
  EXPECT_EQ(file.size(), writer.Serialize().size());
  for (const GgufTensorInfo& t : reader.tensors()) {
    const auto data = reader.TensorData(t);
    EXPECT_GE(data.data(), file.data());
    EXPECT_LE(data.data() + data.size(), file.data() + file.size());
    EXPECT_EQ(data.data(), file.data() + reader.data_offset() + t.offset);
    // Read-only, private, backed by the file itself: no copy was made.
    EXPECT_EQ(MappingOf(data.data()), "r--p " + path) << t.name;
  }
  EXPECT_EQ(Reserialize(reader), writer.Serialize());
}

TEST(GgufReaderTest, OpenErrorsNameThePath) {
  auto missing = GgufReader::Open("/nonexistent/model.gguf");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing.status()), HasSubstr("cannot open /nonexistent/model.gguf"));
  auto dir = GgufReader::Open(testing::TempDir());
  EXPECT_THAT(Message(dir.status()), HasSubstr("is not a regular file"));
  const auto empty = (std::filesystem::path(testing::TempDir()) / "gguf_empty.gguf").string();
  std::ofstream(empty).close();
  auto e = GgufReader::Open(empty);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(
      Message(e.status()),
      HasSubstr(empty + ": at byte offset 0: the magic 'GGUF' needs 4 bytes but only 0 are left"));
}

TEST(GgufReaderTest, TypedGettersNameTheKeyAndTheActualType) {
  const std::string bytes = EveryTypeWriter().Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes), "m.gguf");
  ASSERT_TRUE(reader.ok());
  const GgufMetadata& m = reader->metadata();
  auto s = m.GetUint32("str");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s.status()), "m.gguf: metadata key 'str' is STRING, not UINT32");
  EXPECT_EQ(Message(m.GetUint64("u32").status()),
            "m.gguf: metadata key 'u32' is UINT32, not UINT64");
  EXPECT_EQ(Message(m.GetString("arr.str").status()),
            "m.gguf: metadata key 'arr.str' is ARRAY[STRING], not STRING");
  EXPECT_EQ(Message(m.GetInt32Array("arr.u32").status()),
            "m.gguf: metadata key 'arr.u32' is ARRAY[UINT32], not ARRAY[INT32]");
  EXPECT_EQ(Message(m.GetStringArray("u8").status()),
            "m.gguf: metadata key 'u8' is UINT8, not ARRAY[STRING]");
  auto missing = m.GetFloat32("lfm2.rope.freq_base");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(missing.status()), "m.gguf: no metadata key 'lfm2.rope.freq_base'");
  EXPECT_EQ(m.Find("nope"), nullptr);
}

}  // namespace
}  // namespace nas::liv
