// Helpers for the LFM2 GGUF tests: a tiny LFM2-shaped spec, its random f32 model and
// temporary file paths, and the check that two models give the same logits.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "liv/runtime/session.h"
#include "tests/liv/runtime/session_test_util.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv::gguf_test {

// vocab 64, width 32, layers C C A C (heads 4, kv 2, head_dim 8), SwiGLU 64.
inline ArchSpec TinyLfm2(bool tied) {
  ArchSpec spec;
  spec.set_name(tied ? "tiny-lfm2-tied" : "tiny-lfm2");
  spec.set_vocab_size(64);
  spec.set_d_model(32);
  spec.set_norm_eps(1e-5f);
  spec.set_tie_embeddings(tied);
  spec.set_context_length(128);
  for (int i = 0; i < 4; ++i) {
    Layer* layer = spec.add_layers();
    if (i == 2) {
      Attention* a = layer->mutable_attention();
      a->set_num_heads(4);
      a->set_num_kv_heads(2);
      a->set_head_dim(8);
      a->set_qk_norm(true);
      a->set_rope_theta(1e6f);
    } else {
      layer->mutable_short_conv()->set_kernel_size(3);
      layer->mutable_short_conv()->set_gating(ShortConv::DOUBLE);
    }
    layer->mutable_swiglu()->set_hidden(64);
  }
  return spec;
}

inline std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

inline constexpr uint64_t kTinySeed = 20261121;

// Random f32 weights of seed kTinySeed.
inline std::shared_ptr<Model> RandomModel(const ArchSpec& spec) {
  auto model = Model::CreateRandom(spec, WeightType::kF32, kTinySeed);
  EXPECT_TRUE(model.ok()) << model.status();
  return *std::move(model);
}

// Both models give exactly the same logits (no tolerance) on a 10-token prefill and four
// decode steps: same weights, same kernels, same thread count and chunking make the same
// sequence of float operations.
inline void ExpectSameLogits(std::shared_ptr<Model> want_model, std::shared_ptr<Model> got_model) {
  const ArchSpec& spec = want_model->spec();
  auto a = testing::NewSession(std::move(want_model));
  auto b = testing::NewSession(std::move(got_model));
  const std::vector<int32_t> prompt = testing::Tokens(10, spec.vocab_size());
  auto la = a->Prefill(prompt);
  ASSERT_TRUE(la.ok()) << la.status();
  std::vector<float> expected(la->begin(), la->end());
  auto lb = b->Prefill(prompt);
  ASSERT_TRUE(lb.ok()) << lb.status();
  ASSERT_EQ(expected.size(), spec.vocab_size());
  EXPECT_EQ(std::vector<float>(lb->begin(), lb->end()), expected);
  for (int32_t token : {5, 17, 63, 0}) {
    auto da = a->Decode(token % spec.vocab_size());
    ASSERT_TRUE(da.ok()) << da.status();
    expected.assign(da->begin(), da->end());
    auto db = b->Decode(token % spec.vocab_size());
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ(std::vector<float>(db->begin(), db->end()), expected) << "token " << token;
  }
}

}  // namespace nas::liv::gguf_test
