// Tiny LFM2 GGUF checkpoints for the chat tests: the tokenizer tests' vocabulary (269
// tokens: <|pad|>, <|startoftext|>, <|im_start|>, <|im_end|> = EOS, the 256 bytes, eight
// merges, a user-defined token; tokenizer_test_util.h) in the tokenizer.ggml.* keys, and an
// LFM2 of width 32 with layers conv, conv, attention, conv and tied embeddings, with random
// weights or with weights that make greedy decoding a fixed script (ScriptedModel).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "liv/formats/gguf_value.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/tokenizer.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/session.h"
#include "tests/liv/formats/lfm2_gguf_test_util.h"
#include "tests/liv/formats/tokenizer_test_util.h"

namespace nas::liv::chat_test {

// gguf_test::TinyLfm2 (tied) with the test vocabulary and 256 positions.
inline ArchSpec TinyChatSpec() {
  ArchSpec spec = gguf_test::TinyLfm2(/*tied=*/true);
  spec.set_name("tiny-chat");
  spec.set_vocab_size(static_cast<int>(tokenizer_test::TestVocab().tokens.size()));
  spec.set_context_length(256);
  return spec;
}

using gguf_test::TempPath;

inline std::shared_ptr<Model> RandomChatModel(uint64_t seed = 20261122) {
  auto model = Model::CreateRandom(TinyChatSpec(), WeightType::kF32, seed);
  EXPECT_TRUE(model.ok()) << model.status();
  return *std::move(model);
}

// Every matrix zero and every norm weight 1, so each block adds nothing and the logits after
// a token depend on that token's embedding only: logit j = rmsnorm(E[t]) . E[j]. Rows are
// zero but for "\n" = e0, " the" = 3 e0 + e1 and <|im_end|> = 20 e1, so greedy decoding
// after the "\n" of "<|im_start|>assistant\n" says " the" (logits 3, 1, 0 for " the",
// "\n", the rest, times the same factor) then <|im_end|> (20 against 10 for " the").
inline std::shared_ptr<Model> ScriptedModel() {
  std::shared_ptr<Model> model = RandomChatModel();
  ModelWeights& w = model->mutable_weights();
  for (const TensorShape& t : w.layout()) {
    float* data = w.mutable_tensor(t.name);
    EXPECT_NE(data, nullptr) << t.name;
    const float fill = t.role == TensorRole::kNorm ? 1.0f : 0.0f;
    std::fill(data, data + t.elements(), fill);
    if (t.role != TensorRole::kEmbedding) continue;
    const uint64_t d = t.cols;
    data[tokenizer_test::B('\n') * d + 0] = 1;
    data[tokenizer_test::kSpaceThe * d + 0] = 3;
    data[tokenizer_test::kSpaceThe * d + 1] = 1;
    data[tokenizer_test::kImEnd * d + 1] = 20;
  }
  return model;
}

// Writes `model` (f32) with the test tokenizer to `path`.
inline void WriteChatGguf(const Model& model, const std::string& path) {
  Lfm2GgufExportOptions options;
  options.extra_metadata = TokenizerGgufKeys(tokenizer_test::TestVocab());
  const absl::Status status = ExportLfm2Gguf(model.spec(), model.weights(), path, options);
  ASSERT_TRUE(status.ok()) << status;
}

}  // namespace nas::liv::chat_test
