// Not a test but a fixture writer, disabled by default: writes an LFM2-350M-shaped GGUF
// (random weights, Q8_0 matrices) with a synthetic 65,536-token vocabulary (the test
// vocabulary, then "w0", "w1", ...) to $LIV_CHAT_FIXTURE, for trying liv-run --gguf at a
// real model's size without downloading one:
//   LIV_CHAT_FIXTURE=/tmp/lfm2-350m-random.gguf build/tests/liv/liv_tests \
//     --gtest_also_run_disabled_tests --gtest_filter='ChatFixture.*'
#include <gtest/gtest.h>

#include <cstdlib>

#include "liv/model/lfm2_presets.h"
#include "tests/liv/tools/chat_test_util.h"

namespace nas::liv {
namespace {

TEST(ChatFixture, DISABLED_WriteLfm2_350mShapedGguf) {
  const char* path = std::getenv("LIV_CHAT_FIXTURE");
  ASSERT_NE(path, nullptr) << "set LIV_CHAT_FIXTURE to the output path";
  auto spec = PresetArchSpec("LFM2-350M");
  ASSERT_TRUE(spec.ok()) << spec.status();
  TokenizerVocab vocab = tokenizer_test::TestVocab();
  for (int i = 0; static_cast<int>(vocab.tokens.size()) < spec->vocab_size(); ++i) {
    vocab.tokens.push_back("w" + std::to_string(i));
    vocab.token_types.push_back(1);
  }
  auto model = Model::CreateRandom(*spec, WeightType::kF32, 350, 2);
  ASSERT_TRUE(model.ok()) << model.status();
  Lfm2GgufExportOptions options;
  options.matrix_type = GgmlType::kQ8_0;
  options.extra_metadata = TokenizerGgufKeys(vocab);
  const absl::Status status = ExportLfm2Gguf(*spec, (*model)->weights(), path, options);
  ASSERT_TRUE(status.ok()) << status;
}

}  // namespace
}  // namespace nas::liv
