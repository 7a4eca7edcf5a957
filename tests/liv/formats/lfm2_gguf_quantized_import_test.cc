// Importing LFM2 GGUF files without converting to f32: Q8_0 matrices are used in place from
// the mapping (the model keeps the mapping alive after the reader is gone), Q4_0 ones are
// copied, interleaved for the kernels and their source pages released, and any other file
// type is converted to the asked one. In every case the logits equal exactly those of the
// model the runtime builds itself in that type from the same f32 values.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <span>
#include <sstream>
#include <string>

#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/runtime/session.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::ExpectSameLogits;
using gguf_test::kTinySeed;
using gguf_test::RandomModel;
using gguf_test::TempPath;
using gguf_test::TinyLfm2;

std::string Export(const ArchSpec& spec, GgmlType type, const std::string& name) {
  const std::string path = TempPath(name);
  Lfm2GgufExportOptions options;
  options.matrix_type = type;
  const absl::Status status = ExportLfm2Gguf(spec, RandomModel(spec)->weights(), path, options);
  EXPECT_TRUE(status.ok()) << status;
  return path;
}

std::shared_ptr<Model> RuntimeModel(const ArchSpec& spec, WeightType type) {
  auto model = Model::CreateRandom(spec, type, kTinySeed);
  EXPECT_TRUE(model.ok()) << model.status();
  return *std::move(model);
}

bool Inside(const void* p, std::span<const uint8_t> bytes) {
  const auto* b = static_cast<const uint8_t*>(p);
  return b >= bytes.data() && b < bytes.data() + bytes.size();
}

// Bytes of every stored tensor, in its storage type.
uint64_t StoredBytes(const ModelWeights& w, WeightType type) {
  uint64_t bytes = 0;
  for (const TensorShape& t : w.layout()) {
    const bool matrix = t.role == TensorRole::kMatrix || t.role == TensorRole::kEmbedding;
    bytes += t.rows * RowBytes(matrix ? StorageType(type, t.cols) : WeightType::kF32, t.cols);
  }
  return bytes;
}

TEST(Lfm2GgufQuantizedImportTest, Q8_0TensorsAreUsedInPlaceAndOutliveTheReader) {
  const ArchSpec spec = TinyLfm2(/*tied=*/false);
  const std::string path = Export(spec, GgmlType::kQ8_0, "q8_0_in_place.gguf");
  std::shared_ptr<Model> imported;
  {
    auto reader = GgufReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ(Lfm2GgufWeightType(*reader).value(), WeightType::kQ8_0);
    auto model = ImportLfm2Gguf(*reader);
    ASSERT_TRUE(model.ok()) << model.status();
    imported = *model;
    const ModelWeights& w = imported->weights();
    EXPECT_EQ(imported->weight_type(), WeightType::kQ8_0);
    // Everything (matrices, norms, taps) is read in place; nothing was allocated for it.
    EXPECT_EQ(w.borrowed_bytes(), StoredBytes(w, WeightType::kQ8_0));
    EXPECT_EQ(w.layer(2).q.data, reader->TensorData("blk.2.attn_q")->data());
    EXPECT_EQ(w.embedding().data, reader->TensorData("token_embd")->data());
    EXPECT_EQ(w.output().data, reader->TensorData("output")->data());
    EXPECT_EQ(w.layer(0).conv_taps,
              static_cast<const void*>(reader->TensorData("blk.0.shortconv.conv")->data()));
    EXPECT_EQ(w.layer(1).ffn_down.type, WeightType::kQ8_0);
  }  // the reader is gone; the model still holds the mapping
  ExpectSameLogits(RuntimeModel(spec, WeightType::kQ8_0), imported);
}

TEST(Lfm2GgufQuantizedImportTest, Q4_0MatricesAreRepackedIntoOwnMemory) {
  const ArchSpec spec = TinyLfm2(/*tied=*/true);
  const std::string path = Export(spec, GgmlType::kQ4_0, "q4_0_repacked.gguf");
  std::shared_ptr<Model> imported;
  {
    auto reader = GgufReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ(*reader->metadata().GetUint32("general.file_type"), 2u);  // MOSTLY_Q4_0
    EXPECT_EQ(Lfm2GgufWeightType(*reader).value(), WeightType::kQ4_0);
    auto model = ImportLfm2Gguf(*reader);
    ASSERT_TRUE(model.ok()) << model.status();
    imported = *model;
    const ModelWeights& w = imported->weights();
    EXPECT_EQ(imported->weight_type(), WeightType::kQ4_0);
    for (const WeightMatrix* m : {&w.embedding(), &w.layer(0).conv_in, &w.layer(2).k,
                                  &w.layer(3).ffn_down}) {
      EXPECT_EQ(m->type, WeightType::kQ4_0);
      EXPECT_TRUE(m->interleaved);
      EXPECT_FALSE(Inside(m->data, reader->bytes()));
    }
    EXPECT_TRUE(Inside(w.layer(2).q_norm, reader->bytes()));  // f32 norms stay in place
  }
  ExpectSameLogits(RuntimeModel(spec, WeightType::kQ4_0), imported);
}

// Other combinations go through f32: an F32 file as Q8_0 and Q4_0, a Q8_0 file read from
// bytes (no mapping to keep: copied, not borrowed).
TEST(Lfm2GgufQuantizedImportTest, OtherTypesAreConvertedToTheAskedOne) {
  const ArchSpec spec = TinyLfm2(/*tied=*/false);
  const std::string f32_path = Export(spec, GgmlType::kF32, "f32_converted.gguf");
  auto reader = GgufReader::Open(f32_path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(Lfm2GgufWeightType(*reader).value(), WeightType::kF32);
  for (WeightType type : {WeightType::kQ8_0, WeightType::kQ4_0, WeightType::kF16}) {
    SCOPED_TRACE(WeightTypeName(type));
    Lfm2ImportOptions options;
    options.weight_type = type;
    options.threads = 2;
    auto model = ImportLfm2Gguf(*reader, options);
    ASSERT_TRUE(model.ok()) << model.status();
    EXPECT_EQ((*model)->weight_type(), type);
    EXPECT_EQ((*model)->weights().layer(0).conv_in.type, type);
    ExpectSameLogits(RuntimeModel(spec, type), *model);
  }

  std::ifstream in(Export(spec, GgmlType::kQ8_0, "q8_0_bytes.gguf"), std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  auto from_bytes = GgufReader::FromBytes(
      {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status();
  auto model = ImportLfm2Gguf(*from_bytes);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->weights().borrowed_bytes(), 0u);
  ExpectSameLogits(RuntimeModel(spec, WeightType::kQ8_0), *model);
}

// Resident bytes of the mapping that holds `p`, from /proc/self/smaps.
uint64_t MappingRss(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_region = false;
  const auto address = reinterpret_cast<uintptr_t>(p);
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2) {  // a region's header
      in_region = address >= begin && address < end;
      continue;
    }
    uint64_t kib = 0;
    if (in_region && std::sscanf(line.c_str(), "Rss: %lu kB", &kib) == 1) return kib * 1024;
  }
  ADD_FAILURE() << "no mapping holds " << p;
  return 0;
}

// Repacking copies a Q4_0 file's matrices; their pages in the mapping are then given
// back, so the process does not hold the file twice.
TEST(Lfm2GgufQuantizedImportTest, CopiedTensorsPagesAreReleased) {
  ArchSpec spec = TinyLfm2(/*tied=*/true);
  spec.set_vocab_size(16384);
  spec.set_d_model(256);
  for (Layer& layer : *spec.mutable_layers()) {
    layer.mutable_swiglu()->set_hidden(1024);
    if (layer.has_attention()) layer.mutable_attention()->set_head_dim(64);
  }
  const std::string path = Export(spec, GgmlType::kQ4_0, "q4_0_release.gguf");
  auto reader = GgufReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const std::span<const uint8_t> file = reader->bytes();
  uint64_t sum = 0;
  for (size_t i = 0; i < file.size(); i += 4096) sum += file[i];  // every page resident
  EXPECT_GT(sum, 0u);
  const uint64_t before = MappingRss(file.data());
  EXPECT_GE(before, file.size() * 9 / 10);
  auto model = ImportLfm2Gguf(*reader);
  ASSERT_TRUE(model.ok()) << model.status();
  const uint64_t after = MappingRss(file.data());
  EXPECT_LT(after, file.size() / 10) << "of " << file.size() << " bytes, " << before
                                     << " resident before";
  // The copies take what the file held (plus 64-byte alignment per tensor).
  EXPECT_LE((*model)->weights().bytes(), file.size());
  EXPECT_GE((*model)->weights().bytes(), file.size() * 9 / 10);
}

}  // namespace
}  // namespace nas::liv
