// liv-export as a process: a preset-shaped spec with random weights and a borrowed
// tokenizer becomes a GGUF that imports back to the same spec and tokenizer, a GGUF is
// re-encoded in another type, and bad input fails with one clear line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/formats/tokenizer.h"
#include "liv/model/arch_spec_io.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"
#include "tests/liv/formats/tokenizer_test_util.h"
#include "tests/liv/tools/run_command.h"

namespace nas::liv {
namespace {

using ::testing::HasSubstr;

constexpr char kExport[] = NAS_LIV_EXPORT_BIN;

// The tiny LFM2 spec with the test tokenizer's vocabulary size, as a JSON file.
ArchSpec TokenizerSizedSpec() {
  ArchSpec spec = gguf_test::TinyLfm2(/*tied=*/true);
  spec.set_vocab_size(tokenizer_test::TestVocab().tokens.size());
  return spec;
}

std::string WriteSpec(const ArchSpec& spec, const std::string& name) {
  const std::string path = gguf_test::TempPath(name);
  std::ofstream(path) << ArchSpecToJson(spec);
  return path;
}

// A GGUF holding only the test tokenizer (and a chat template), as a checkpoint would.
std::string TokenizerFile() {
  const ArchSpec spec = TokenizerSizedSpec();
  Lfm2GgufExportOptions options;
  options.extra_metadata = TokenizerGgufKeys(tokenizer_test::TestVocab());
  options.extra_metadata.push_back({"tokenizer.chat_template", std::string("{{ messages }}")});
  const std::string path = gguf_test::TempPath("tokenizer_source.gguf");
  auto model = Model::CreateRandom(spec, WeightType::kF32, 1);
  EXPECT_TRUE(ExportLfm2Gguf(spec, (*model)->weights(), path, options).ok());
  return path;
}

TEST(LivExportTest, SpecWithATokenizerFromAnotherFileImportsBack) {
  const ArchSpec spec = TokenizerSizedSpec();
  const std::string out = gguf_test::TempPath("exported_q4_0.gguf");
  const auto run = testing::RunCommand(
      kExport, "-m " + WriteSpec(spec, "export_spec.json") + " -o " + out +
                   " --type q4_0 --seed 7 --tokenizer-from " + TokenizerFile());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("with tokenizer"));
  auto reader = GgufReader::Open(out);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(*reader->metadata().GetUint32("general.file_type"), 2u);
  EXPECT_EQ(*reader->metadata().GetString("tokenizer.chat_template"), "{{ messages }}");
  auto imported_spec = Lfm2ArchSpecFromGguf(*reader);
  ASSERT_TRUE(imported_spec.ok()) << imported_spec.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*imported_spec, spec));
  auto tokenizer = Tokenizer::FromGguf(reader->metadata());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ(tokenizer->vocab().tokens, tokenizer_test::TestVocab().tokens);
  EXPECT_EQ(tokenizer->vocab().merges, tokenizer_test::TestVocab().merges);
  // The weights are seed 7's, in Q4_0: the runtime's own Q4_0 model of that seed.
  auto model = ImportLfm2Gguf(*reader);
  ASSERT_TRUE(model.ok()) << model.status();
  auto expected = Model::CreateRandom(spec, WeightType::kQ4_0, 7);
  ASSERT_TRUE(expected.ok());
  gguf_test::ExpectSameLogits(*expected, *model);
}

TEST(LivExportTest, ReencodesAGgufAndKeepsItsTokenizer) {
  const std::string out = gguf_test::TempPath("reencoded_q8_0.gguf");
  const auto run = testing::RunCommand(kExport, "-m " + TokenizerFile() + " -o " + out +
                                                    " --type q8_0 --name renamed");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto reader = GgufReader::Open(out);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(*reader->metadata().GetString("general.name"), "renamed");
  EXPECT_EQ(reader->GetTensor("blk.0.ffn_up").value()->type, GgmlType::kQ8_0);
  EXPECT_TRUE(Tokenizer::FromGguf(reader->metadata()).ok());
  auto model = ImportLfm2Gguf(*reader);
  ASSERT_TRUE(model.ok()) << model.status();
  // Seed 1's f32 weights quantized once: the runtime's Q8_0 model of seed 1.
  ArchSpec spec = TokenizerSizedSpec();
  auto expected = Model::CreateRandom(spec, WeightType::kQ8_0, 1);
  ASSERT_TRUE(expected.ok());
  gguf_test::ExpectSameLogits(*expected, *model);
}

TEST(LivExportTest, BadInputFailsWithOneClearLine) {
  const std::string out = gguf_test::TempPath("never_written.gguf");
  ArchSpec recurrent = TokenizerSizedSpec();
  recurrent.mutable_layers(1)->mutable_recurrence()->set_num_heads(4);
  recurrent.mutable_layers(1)->mutable_recurrence()->set_head_dim(8);
  ArchSpec small_vocab = TokenizerSizedSpec();
  small_vocab.set_vocab_size(100);
  const struct {
    std::string args, message;
  } cases[] = {
      {"-m " + WriteSpec(recurrent, "recurrent.json") + " -o " + out, "layer 1: "},
      {"-m " + WriteSpec(small_vocab, "small_vocab.json") + " -o " + out +
           " --tokenizer-from " + TokenizerFile(),
       "tokens, the model's vocab_size is 100"},
      {"-m LFM2-350M -o " + out + " --type q5_k", "--type: one of f32, f16, q8_0, q4_0"},
      {"-m /no/such/model.gguf -o " + out, "/no/such/model.gguf"},
  };
  for (const auto& c : cases) {
    const auto run = testing::RunCommand(kExport, c.args);
    EXPECT_NE(run.exit_code, 0) << c.args;
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.args;
    EXPECT_FALSE(std::filesystem::exists(out)) << c.args;
  }
}

}  // namespace
}  // namespace nas::liv
