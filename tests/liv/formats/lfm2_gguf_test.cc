// LFM2 GGUF export and import: round trips of spec and weights, logits of the imported
// model, the accepted final-norm names, and the errors for other architectures, missing or
// mis-shaped tensors and layers the layout cannot express.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/gguf_writer.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/formats/lfm2_gguf_layout.h"
#include "liv/model/lfm2_presets.h"
#include "liv/model/weight_layout.h"
#include "liv/quant/blocks.h"
#include "tests/liv/formats/gguf_test_util.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"
#include "tests/liv/runtime/session_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::ExpectSameLogits;
using gguf_test::Message;
using gguf_test::RandomModel;
using gguf_test::TempPath;
using gguf_test::TinyLfm2;
using gguf_test::Span;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

// A file of the spec's metadata and zero-valued tensors, with one edit: the final norm's
// name, a tensor left out, a tensor with other dims, or another architecture.
struct Edit {
  std::string final_norm = kLfm2FinalNormName;
  std::string skip;
  std::string reshape;
  std::string architecture = kLfm2Architecture;
};

std::string ZeroWeightsFile(const ArchSpec& spec, const Edit& edit) {
  GgufWriter writer;
  auto md = Lfm2GgufMetadata(spec);
  EXPECT_TRUE(md.ok()) << md.status();
  for (const GgufKv& kv : md->entries()) {
    GgufValue value = kv.key == "general.architecture" ? GgufValue(edit.architecture) : kv.value;
    EXPECT_TRUE(writer.AddMetadata(kv.key, value).ok());
  }
  for (Lfm2GgufTensor t : Lfm2GgufTensors(spec)) {
    if (t.gguf_name == edit.skip) continue;
    if (t.gguf_name == edit.reshape) t.dims[0] += 1;
    if (t.gguf_name == kLfm2FinalNormName) t.gguf_name = edit.final_norm;
    uint64_t n = 1;
    for (int64_t d : t.dims) n *= d;
    EXPECT_TRUE(
        writer.AddTensor(t.gguf_name, GgmlType::kF32, t.dims, std::vector<uint8_t>(n * 4)).ok());
  }
  return writer.Serialize();
}

class Lfm2GgufRoundTripTest : public ::testing::TestWithParam<bool> {};

TEST_P(Lfm2GgufRoundTripTest, SpecAndWeightsAreIdentical) {
  const ArchSpec spec = TinyLfm2(GetParam());
  std::shared_ptr<Model> original = RandomModel(spec);
  const std::string path = TempPath(spec.name() + ".gguf");
  ASSERT_TRUE(ExportLfm2Gguf(spec, original->weights(), path).ok());

  auto reader = GgufReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(*reader->metadata().GetString("general.architecture"), "lfm2");
  EXPECT_EQ(*(*reader->metadata().GetInt32Array("lfm2.attention.head_count_kv")),
            (std::vector<int32_t>{0, 0, 2, 0}));
  EXPECT_EQ(reader->FindTensor("output") == nullptr, GetParam());
  EXPECT_EQ(reader->GetTensor("blk.0.shortconv.conv").value()->dims, (std::vector<int64_t>{3, 32}));
  EXPECT_EQ(reader->GetTensor("blk.0.shortconv.in_proj").value()->dims,
            (std::vector<int64_t>{32, 96}));
  EXPECT_EQ(reader->GetTensor("blk.2.attn_k").value()->dims, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(reader->GetTensor("token_embd").value()->dims, (std::vector<int64_t>{32, 64}));
  EXPECT_EQ(reader->GetTensor("token_embd_norm").value()->dims, (std::vector<int64_t>{32}));

  auto imported = ImportLfm2Gguf(*reader);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_TRUE(MessageDifferencer::Equals((*imported)->spec(), spec))
      << (*imported)->spec().ShortDebugString();
  const auto& layout = original->weights().layout();
  ASSERT_EQ((*imported)->weights().layout().size(), layout.size());
  for (const TensorShape& t : layout) {
    const float* a = original->weights().tensor(t.name);
    const float* b = (*imported)->weights().tensor(t.name);
    ASSERT_NE(a, nullptr) << t.name;
    ASSERT_NE(b, nullptr) << t.name;
    EXPECT_EQ(std::memcmp(a, b, t.elements() * sizeof(float)), 0) << t.name;
  }
}

TEST_P(Lfm2GgufRoundTripTest, ImportedModelGivesTheSameLogits) {
  const ArchSpec spec = TinyLfm2(GetParam());
  std::shared_ptr<Model> original = RandomModel(spec);
  const std::string path = TempPath(spec.name() + "_logits.gguf");
  ASSERT_TRUE(ExportLfm2Gguf(spec, original->weights(), path).ok());
  auto reader = GgufReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto imported = ImportLfm2Gguf(*reader);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectSameLogits(original, *imported);
}

INSTANTIATE_TEST_SUITE_P(TiedAndUntied, Lfm2GgufRoundTripTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Tied" : "Untied"; });

TEST(Lfm2GgufTest, F16MatricesRoundToHalfNormsAndTapsStayF32) {
  const ArchSpec spec = TinyLfm2(false);
  std::shared_ptr<Model> original = RandomModel(spec);
  Lfm2GgufExportOptions options;
  options.matrix_type = GgmlType::kF16;
  auto writer = BuildLfm2Gguf(spec, original->weights(), options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::string bytes = writer->Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->GetTensor("blk.0.shortconv.conv").value()->type, GgmlType::kF32);
  EXPECT_EQ(reader->GetTensor("blk.0.ffn_norm").value()->type, GgmlType::kF32);
  EXPECT_EQ(reader->GetTensor("blk.0.shortconv.in_proj").value()->type, GgmlType::kF16);
  EXPECT_EQ(*reader->metadata().GetUint32("general.file_type"), 1u);
  EXPECT_EQ(Lfm2GgufWeightType(*reader).value(), WeightType::kF16);
  // Converted to f32 on request, so that the values can be read back.
  Lfm2ImportOptions to_f32;
  to_f32.weight_type = WeightType::kF32;
  auto imported = ImportLfm2Gguf(*reader, to_f32);
  ASSERT_TRUE(imported.ok()) << imported.status();
  for (const TensorShape& t : original->weights().layout()) {
    const float* a = original->weights().tensor(t.name);
    const float* b = (*imported)->weights().tensor(t.name);
    const bool f32 = t.role == TensorRole::kNorm || t.role == TensorRole::kConvTaps;
    for (uint64_t i = 0; i < t.elements(); ++i) {
      const float want = f32 ? a[i] : quant::HalfToFloat(quant::FloatToHalf(a[i]));
      ASSERT_EQ(b[i], want) << t.name << "[" << i << "]";
    }
  }
}

TEST(Lfm2GgufTest, AcceptsBothFinalNormNames) {
  const ArchSpec spec = TinyLfm2(true);
  for (const char* name : {"token_embd_norm", "output_norm"}) {
    Edit edit;
    edit.final_norm = name;
    const std::string bytes = ZeroWeightsFile(spec, edit);
    auto reader = GgufReader::FromBytes(Span(bytes));
    ASSERT_TRUE(reader.ok()) << reader.status();
    auto imported = Lfm2ArchSpecFromGguf(*reader);
    ASSERT_TRUE(imported.ok()) << name << ": " << imported.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*imported, spec)) << name;
    EXPECT_TRUE(ImportLfm2Gguf(*reader).ok()) << name;
  }
}

TEST(Lfm2GgufTest, RejectsOtherArchitectures) {
  Edit edit;
  edit.architecture = "llama";
  const std::string bytes = ZeroWeightsFile(TinyLfm2(true), edit);
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto spec = Lfm2ArchSpecFromGguf(*reader);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(spec.status()), HasSubstr("unsupported architecture llama (only lfm2)"));
}

TEST(Lfm2GgufTest, MissingTensorIsNamed) {
  Edit edit;
  edit.skip = "blk.2.attn_k_norm";
  const std::string bytes = ZeroWeightsFile(TinyLfm2(true), edit);
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto model = ImportLfm2Gguf(*reader);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(model.status()),
              HasSubstr("missing tensor blk.2.attn_k_norm (expected dims [8])"));
}

TEST(Lfm2GgufTest, MisShapedTensorIsNamedWithBothShapes) {
  Edit edit;
  edit.reshape = "blk.1.shortconv.in_proj";
  const std::string bytes = ZeroWeightsFile(TinyLfm2(true), edit);
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto model = ImportLfm2Gguf(*reader);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(model.status()),
              HasSubstr("tensor blk.1.shortconv.in_proj has dims [33, 96], expected [32, 96]"));
}

TEST(Lfm2GgufTest, ExportNamesTheLayerItCannotExpress) {
  struct Case {
    std::function<void(Layer&)> edit;
    std::string why;
  };
  const std::vector<Case> cases = {
      {[](Layer& l) {
         l.mutable_recurrence()->set_num_heads(4);
         l.mutable_recurrence()->set_head_dim(8);
       },
       "layer 1: recurrence token mixer"},
      {[](Layer& l) { l.mutable_short_conv()->set_gating(ShortConv::OUTPUT_ONLY); },
       "layer 1: short convolution gating OUTPUT_ONLY (only DOUBLE)"},
      {[](Layer& l) { l.mutable_gelu_mlp()->set_hidden(64); },
       "layer 1: GELU MLP channel mixer (only SwiGLU)"},
      {[](Layer& l) { l.mutable_swiglu()->set_hidden(128); },
       "layer 1: SwiGLU hidden 128 differs from the model's 64"},
      {[](Layer& l) { l.set_weight_source_layer(0); },
       "layer 1: shares the weights of another layer"},
  };
  for (const Case& c : cases) {
    ArchSpec spec = TinyLfm2(true);
    c.edit(*spec.mutable_layers(1));
    const absl::Status status = CheckLfm2Expressible(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.why;
    EXPECT_THAT(Message(status), HasSubstr(c.why));
  }
  ArchSpec window = TinyLfm2(true);
  window.mutable_layers(2)->mutable_attention()->set_sliding_window(16);
  EXPECT_THAT(Message(CheckLfm2Expressible(window)),
              HasSubstr("layer 2: sliding-window attention"));
}

// Converters differ: per-layer UINT32 arrays, the vocabulary from the token list, an
// explicit key_length, u64 integers. All describe the same tiny model (head_dim 8 here is
// D / heads, so key_length agrees with the default).
TEST(Lfm2GgufTest, AcceptsScalarsArraysAndOtherIntegerTypes) {
  GgufMetadata md;
  ASSERT_TRUE(md.Add("general.architecture", std::string("lfm2")).ok());
  ASSERT_TRUE(md.Add("general.name", std::string("tiny-lfm2-tied")).ok());
  ASSERT_TRUE(md.Add("lfm2.context_length", uint64_t{128}).ok());
  ASSERT_TRUE(md.Add("lfm2.embedding_length", int32_t{32}).ok());
  ASSERT_TRUE(md.Add("lfm2.block_count", uint32_t{4}).ok());
  ASSERT_TRUE(
      md.Add("lfm2.feed_forward_length", GgufArray{std::vector<uint32_t>{64, 64, 64, 64}}).ok());
  ASSERT_TRUE(
      md.Add("lfm2.attention.head_count", GgufArray{std::vector<uint32_t>{4, 4, 4, 4}}).ok());
  ASSERT_TRUE(
      md.Add("lfm2.attention.head_count_kv", GgufArray{std::vector<uint32_t>{0, 0, 2, 0}}).ok());
  ASSERT_TRUE(md.Add("lfm2.attention.key_length", uint32_t{8}).ok());
  ASSERT_TRUE(md.Add("lfm2.attention.value_length", uint32_t{8}).ok());
  ASSERT_TRUE(md.Add("lfm2.rope.freq_base", 1e6f).ok());
  ASSERT_TRUE(md.Add("lfm2.attention.layer_norm_rms_epsilon", 1e-5f).ok());
  ASSERT_TRUE(md.Add("lfm2.shortconv.l_cache", uint32_t{3}).ok());
  ASSERT_TRUE(md.Add("tokenizer.ggml.tokens", GgufArray{std::vector<std::string>(64, "t")}).ok());
  auto spec = Lfm2ArchSpecFromMetadata(md, /*tie_embeddings=*/true);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*spec, TinyLfm2(true))) << spec->ShortDebugString();
}

TEST(Lfm2GgufTest, MetadataErrorsNameTheKey) {
  auto md = Lfm2GgufMetadata(TinyLfm2(true));
  ASSERT_TRUE(md.ok());
  GgufMetadata short_array, missing_eps;
  for (const GgufKv& kv : md->entries()) {
    if (kv.key != "lfm2.attention.layer_norm_rms_epsilon") {
      ASSERT_TRUE(missing_eps.Add(kv.key, kv.value).ok());
    }
    ASSERT_TRUE(short_array
                    .Add(kv.key, kv.key == "lfm2.attention.head_count_kv"
                                     ? GgufValue(GgufArray{std::vector<int32_t>{0, 2}})
                                     : kv.value)
                    .ok());
  }
  auto a = Lfm2ArchSpecFromMetadata(missing_eps, true);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(a.status()),
              HasSubstr("missing metadata key lfm2.attention.layer_norm_rms_epsilon"));
  auto b = Lfm2ArchSpecFromMetadata(short_array, true);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(b.status()),
              HasSubstr("metadata key lfm2.attention.head_count_kv: array of 2 entries, "
                        "block_count is 4"));
}

TEST(Lfm2GgufTest, Q8_0MatricesDequantizeAsTheReferenceBlocks) {
  const ArchSpec spec = TinyLfm2(true);
  std::shared_ptr<Model> original = RandomModel(spec);
  Lfm2GgufExportOptions options;
  options.matrix_type = GgmlType::kQ8_0;
  auto writer = BuildLfm2Gguf(spec, original->weights(), options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::string bytes = writer->Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->GetTensor("blk.2.attn_q").value()->type, GgmlType::kQ8_0);
  EXPECT_EQ(*reader->metadata().GetUint32("general.file_type"), 7u);
  Lfm2ImportOptions to_f32;
  to_f32.weight_type = WeightType::kF32;
  auto imported = ImportLfm2Gguf(*reader, to_f32);
  ASSERT_TRUE(imported.ok()) << imported.status();
  const TensorShape& q = LayerTensors(spec, 2)[1];
  ASSERT_EQ(q.name, "blk.2.attn_q");
  const float* a = original->weights().tensor(q.name);
  std::vector<quant::BlockQ8_0> blocks(q.elements() / 32);
  quant::QuantizeRowQ8_0(a, blocks.data(), q.elements());
  std::vector<float> want(q.elements());
  quant::DequantizeRowQ8_0(blocks.data(), want.data(), q.elements());
  const float* b = (*imported)->weights().tensor(q.name);
  EXPECT_EQ(std::vector<float>(b, b + q.elements()), want);
}

// The published models: the metadata alone (their weights are hundreds of MB) maps back to
// the same spec, and the tensor list puts conv and attention tensors on the right blocks.
TEST(Lfm2GgufTest, PresetsRoundTripThroughMetadata) {
  for (const std::string& name : PresetNames()) {
    const ArchSpec preset = *PresetArchSpec(name);
    auto md = Lfm2GgufMetadata(preset);
    ASSERT_TRUE(md.ok()) << name << ": " << md.status();
    auto spec = Lfm2ArchSpecFromMetadata(*md, /*tie_embeddings=*/true);
    ASSERT_TRUE(spec.ok()) << name << ": " << spec.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*spec, preset)) << name;
  }
  const ArchSpec lfm2 = *PresetArchSpec("LFM2-350M");
  auto md = Lfm2GgufMetadata(lfm2);
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(*(*md->GetInt32Array("lfm2.attention.head_count_kv")),
            (std::vector<int32_t>{0, 0, 8, 0, 0, 8, 0, 0, 8, 0, 8, 0, 8, 0, 8, 0}));
  EXPECT_EQ(*md->GetUint32("lfm2.feed_forward_length"), 4608u);
  EXPECT_EQ(*md->GetUint32("lfm2.attention.head_count"), 16u);
  EXPECT_EQ(md->Find("lfm2.attention.key_length"), nullptr);  // 1024 / 16 = 64
  std::vector<int> attention_blocks, conv_blocks;
  uint64_t parameters = 0;
  for (const Lfm2GgufTensor& t : Lfm2GgufTensors(lfm2)) {
    parameters += t.dims.size() == 1 ? t.dims[0] : t.dims[0] * t.dims[1];
    int block = -1;
    if (std::sscanf(t.gguf_name.c_str(), "blk.%d.", &block) != 1) continue;
    if (t.gguf_name.ends_with(".attn_q")) {
      attention_blocks.push_back(block);
      EXPECT_EQ(t.dims, (std::vector<int64_t>{1024, 1024}));
    }
    if (t.gguf_name.ends_with(".shortconv.conv")) {
      conv_blocks.push_back(block);
      EXPECT_EQ(t.dims, (std::vector<int64_t>{3, 1024}));
    }
    if (t.gguf_name.ends_with(".attn_k")) {
      EXPECT_EQ(t.dims, (std::vector<int64_t>{1024, 512}));
    }
    if (t.gguf_name.ends_with(".shortconv.in_proj")) {
      EXPECT_EQ(t.dims, (std::vector<int64_t>{1024, 3072}));
    }
  }
  EXPECT_EQ(attention_blocks, (std::vector<int>{2, 5, 8, 10, 12, 14}));
  EXPECT_EQ(conv_blocks, (std::vector<int>{0, 1, 3, 4, 6, 7, 9, 11, 13, 15}));
  EXPECT_EQ(parameters, 354483968u);  // REFERENCE.md section 1
}

// llama.cpp requires lfm2.context_length and sizes its default context by it.
TEST(Lfm2GgufTest, UnspecifiedContextIsWrittenAsLfm2sTrainedContext) {
  ArchSpec spec = TinyLfm2(true);
  spec.set_context_length(0);
  auto md = Lfm2GgufMetadata(spec);
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(*md->GetUint32("lfm2.context_length"), 32768u);
  spec.set_context_length(128);
  EXPECT_EQ(*Lfm2GgufMetadata(spec)->GetUint32("lfm2.context_length"), 128u);
}

// llama.cpp refuses a file without tokenizer.ggml.model; "none" is its vocabulary-less
// model. A caller's tokenizer keys replace it.
TEST(Lfm2GgufTest, WithoutATokenizerTheFileSaysNone) {
  const ArchSpec spec = TinyLfm2(true);
  std::shared_ptr<Model> model = RandomModel(spec);
  auto bare = BuildLfm2Gguf(spec, model->weights());
  ASSERT_TRUE(bare.ok()) << bare.status();
  const std::string bare_bytes = bare->Serialize();
  auto reader = GgufReader::FromBytes(Span(bare_bytes));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(*reader->metadata().GetString("tokenizer.ggml.model"), "none");
  EXPECT_EQ(reader->metadata().Find("tokenizer.ggml.tokens"), nullptr);

  Lfm2GgufExportOptions options;
  options.extra_metadata = {{"tokenizer.ggml.model", std::string("gpt2")}};
  auto with = BuildLfm2Gguf(spec, model->weights(), options);
  ASSERT_TRUE(with.ok()) << with.status();
  const std::string with_bytes = with->Serialize();
  auto with_reader = GgufReader::FromBytes(Span(with_bytes));
  ASSERT_TRUE(with_reader.ok()) << with_reader.status();
  EXPECT_EQ(*with_reader->metadata().GetString("tokenizer.ggml.model"), "gpt2");
}

}  // namespace
}  // namespace nas::liv
