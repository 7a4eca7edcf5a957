// The K-quant blocks of published checkpoints: Q4_K and Q6_K blocks packed here from chosen
// quants, scales and mins (the bit layout as gguf_kquants.h describes it) dequantize to
// exactly d * scale * q - dmin * min and d * scale * (q - 32); the reader takes them in whole
// blocks of 256; and an LFM2 file whose embedding is Q6_K (as llama.cpp writes Q4_0
// checkpoints) imports with that embedding converted to the model's Q4_0.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "liv/formats/gguf_kquants.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/gguf_writer.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/quant/blocks.h"
#include "liv/runtime/weight_matrix.h"
#include "tests/liv/formats/gguf_test_util.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::Span;

void PutHalf(float value, uint8_t* out) {
  const uint16_t h = quant::FloatToHalf(value);
  std::memcpy(out, &h, 2);
}

// A Q6_K block of quants q (0..63), int8 scales (one per 16 weights) and d, with the
// values it stands for.
struct Q6Block {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kQ6_KBlockBytes, 0);
  std::vector<float> values = std::vector<float>(kKQuantBlock);
};

Q6Block PackQ6_K(std::mt19937& rng, float d) {
  Q6Block b;
  std::vector<int8_t> scales(16);
  for (int8_t& s : scales) s = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  for (int e = 0; e < 256; ++e) {
    const int q = static_cast<int>(rng() % 64);
    const int c = e / 128, g = (e % 128) / 32, l = e % 32;
    b.bytes[64 * c + l + 32 * (g & 1)] |= static_cast<uint8_t>((q & 15) << (g < 2 ? 0 : 4));
    b.bytes[128 + 32 * c + l] |= static_cast<uint8_t>((q >> 4) << (2 * g));
    b.values[e] = quant::HalfToFloat(quant::FloatToHalf(d)) * scales[e / 16] * (q - 32);
  }
  std::memcpy(b.bytes.data() + 192, scales.data(), 16);
  PutHalf(d, b.bytes.data() + 208);
  return b;
}

TEST(GgufKQuantsTest, Q6_KBlocksDequantizeExactly) {
  std::mt19937 rng(6);
  const Q6Block a = PackQ6_K(rng, 0.0078125f), b = PackQ6_K(rng, -1.5f);
  std::vector<uint8_t> bytes = a.bytes;
  bytes.insert(bytes.end(), b.bytes.begin(), b.bytes.end());
  std::vector<float> out(512);
  DequantizeQ6_K(bytes.data(), 2, out.data());
  EXPECT_EQ(std::vector<float>(out.begin(), out.begin() + 256), a.values);
  EXPECT_EQ(std::vector<float>(out.begin() + 256, out.end()), b.values);
}

TEST(GgufKQuantsTest, Q4_KBlocksDequantizeExactly) {
  std::mt19937 rng(4);
  int scale[8], min[8];
  for (int j = 0; j < 8; ++j) scale[j] = rng() % 64, min[j] = rng() % 64;
  std::vector<uint8_t> block(kQ4_KBlockBytes, 0);
  const float d = 0.03125f, dmin = 0.0625f;
  PutHalf(d, block.data());
  PutHalf(dmin, block.data() + 2);
  uint8_t* packed = block.data() + 4;
  for (int j = 0; j < 4; ++j) {
    packed[j] = static_cast<uint8_t>((scale[j] & 63) | ((scale[4 + j] >> 4) << 6));
    packed[4 + j] = static_cast<uint8_t>((min[j] & 63) | ((min[4 + j] >> 4) << 6));
    packed[8 + j] = static_cast<uint8_t>((scale[4 + j] & 15) | ((min[4 + j] & 15) << 4));
  }
  std::vector<float> want(256);
  for (int e = 0; e < 256; ++e) {
    const int q = static_cast<int>(rng() % 16);
    const int c = e / 64, high = (e % 64) / 32, l = e % 32;
    block[16 + 32 * c + l] |= static_cast<uint8_t>(q << (4 * high));
    const int j = e / 32;
    want[e] = d * scale[j] * q - dmin * min[j];
  }
  std::vector<float> out(256);
  DequantizeQ4_K(block.data(), 1, out.data());
  EXPECT_EQ(out, want);
}

TEST(GgufKQuantsTest, TheReaderTakesWholeBlocksOf256) {
  std::mt19937 rng(1);
  const Q6Block a = PackQ6_K(rng, 0.5f), b = PackQ6_K(rng, 0.25f);
  std::vector<uint8_t> data = a.bytes;
  data.insert(data.end(), b.bytes.begin(), b.bytes.end());
  GgufWriter writer;
  ASSERT_TRUE(writer.AddTensor("t", GgmlType::kQ6_K, {256, 2}, data).ok());
  const std::string bytes = writer.Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<float> want = a.values;
  want.insert(want.end(), b.values.begin(), b.values.end());
  EXPECT_EQ(reader->TensorToF32("t").value(), want);

  GgufWriter bad;
  const absl::Status status =
      bad.AddTensor("u", GgmlType::kQ4_K, {128, 2}, std::vector<uint8_t>(kQ4_KBlockBytes));
  EXPECT_FALSE(status.ok());
}

// llama.cpp's Q4_0 quantization keeps a tied embedding in Q6_K: such a file is a Q4_0 model
// whose embedding is the Q6_K values quantized to Q4_0.
TEST(GgufKQuantsTest, AQ4_0CheckpointWithAQ6_KEmbeddingImports) {
  ArchSpec spec = gguf_test::TinyLfm2(/*tied=*/true);
  spec.set_d_model(256);
  for (Layer& layer : *spec.mutable_layers()) {
    if (layer.has_attention()) layer.mutable_attention()->set_head_dim(64);
  }
  Lfm2GgufExportOptions options;
  options.matrix_type = GgmlType::kQ4_0;
  auto q4 = BuildLfm2Gguf(spec, gguf_test::RandomModel(spec)->weights(), options);
  ASSERT_TRUE(q4.ok()) << q4.status();
  const std::string q4_bytes = q4->Serialize();
  auto q4_reader = GgufReader::FromBytes(Span(q4_bytes));
  ASSERT_TRUE(q4_reader.ok()) << q4_reader.status();

  // The same file with token_embd replaced by random Q6_K blocks.
  std::mt19937 rng(14);
  std::vector<uint8_t> embedding;
  std::vector<float> embedding_values;
  for (uint32_t row = 0; row < spec.vocab_size(); ++row) {
    const Q6Block b = PackQ6_K(rng, 0.001f);
    embedding.insert(embedding.end(), b.bytes.begin(), b.bytes.end());
    embedding_values.insert(embedding_values.end(), b.values.begin(), b.values.end());
  }
  GgufWriter writer;
  for (const GgufKv& kv : q4_reader->metadata().entries()) {
    ASSERT_TRUE(writer.AddMetadata(kv.key, kv.value).ok());
  }
  for (const GgufTensorInfo& t : q4_reader->tensors()) {
    const bool embd = t.name == "token_embd";
    const std::span<const uint8_t> data = q4_reader->TensorData(t);
    ASSERT_TRUE(writer
                    .AddTensor(t.name, embd ? GgmlType::kQ6_K : t.type, t.dims,
                               embd ? embedding : std::vector<uint8_t>(data.begin(), data.end()))
                    .ok());
  }
  const std::string path = gguf_test::TempPath("q4_0_with_q6_k_embedding.gguf");
  ASSERT_TRUE(writer.WriteFile(path).ok());
  auto reader = GgufReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(Lfm2GgufWeightType(*reader).value(), WeightType::kQ4_0);
  auto model = ImportLfm2Gguf(*reader);
  ASSERT_TRUE(model.ok()) << model.status();
  const WeightMatrix& e = (*model)->weights().embedding();
  EXPECT_EQ(e.type, WeightType::kQ4_0);
  std::vector<quant::BlockQ4_0> blocks(256 / 32);
  std::vector<float> want(256), got(256);
  for (uint32_t row = 0; row < spec.vocab_size(); ++row) {
    quant::QuantizeRowQ4_0(embedding_values.data() + row * 256, blocks.data(), 256);
    quant::DequantizeRowQ4_0(blocks.data(), want.data(), 256);
    DequantizeRow(e, row, got.data());
    ASSERT_EQ(got, want) << "row " << row;
  }
  auto session = testing::NewSession(*model);
  EXPECT_TRUE(session->Prefill(testing::Tokens(5, spec.vocab_size())).ok());
}

}  // namespace
}  // namespace nas::liv
