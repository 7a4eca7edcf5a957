// The f16 K/V cache option (RuntimeOptions::kv_type): the memory plan holds exactly half the
// KV bytes of the f32 cache for an LFM2 preset (and the prefill's conversion scratch), and
// a session with an f16 cache gives logits close to the f32 cache's, with the same greedy
// token, through prefill chunks, a sliding-window layer whose ring wraps, KV sharing and
// decode steps. (WriteKv / Attend on both types are tested in ops_test.cc.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <span>
#include <vector>

#include "liv/model/lfm2_presets.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/memory_plan.h"
#include "liv/runtime/session.h"
#include "tests/liv/runtime/session_test_util.h"
#include "tests/liv/runtime/test_specs.h"

namespace nas::liv {
namespace {

using testing::AttentionLayer;
using testing::ConvLayer;
using testing::MakeSpec;
using testing::NewSession;
using testing::RelativeError;
using testing::RelativeL2Error;
using testing::Tokens;

TEST(KvCacheF16PlanTest, Lfm2KvCacheIsExactlyHalfOfF32) {
  const ArchSpec spec = *PresetArchSpec("LFM2-350M");
  uint64_t head_dim = 0;
  for (const Layer& layer : spec.layers()) {
    if (layer.has_attention()) head_dim = layer.attention().head_dim();
  }
  ASSERT_GT(head_dim, 0u);
  for (uint32_t context : {512u, 4096u}) {
    SCOPED_TRACE(context);
    RuntimeOptions options;
    options.max_context = context;
    options.threads = 2;
    const MemoryPlan f32 = PlanMemory(spec, WeightType::kF32, options);
    options.kv_type = KvType::kF16;
    const MemoryPlan f16 = PlanMemory(spec, WeightType::kF32, options);
    EXPECT_GT(f32.kv_cache, 0u);
    EXPECT_EQ(2 * f16.kv_cache, f32.kv_cache);
    EXPECT_EQ(f16.kv_cache, CacheBytesAt(spec, context, KvElementBytes(KvType::kF16)).kv);
    EXPECT_EQ(f16.kv_capacity, f32.kv_capacity);
    EXPECT_EQ(f16.weights, f32.weights);
    EXPECT_EQ(f16.activations, f32.activations);
    // A prefill over the f16 cache converts one KV head's keys and values per thread.
    EXPECT_EQ(f16.attention_scratch - f32.attention_scratch,
              options.threads * 2 * AlignedFloats(context * head_dim) * sizeof(float));
    EXPECT_EQ(f16.attention_scratch, options.threads * f16.attention_scratch_stride * 4);
  }
}

int Argmax(std::span<const float> logits) {
  return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Full attention, a convolution, a sliding window of 16 and a layer reading layer 0's K/V.
ArchSpec F16TestSpec() {
  return MakeSpec("kv_f16", 257, 64,
                  {AttentionLayer(4, 2, 16, true), ConvLayer(3, ShortConv::DOUBLE),
                   AttentionLayer(4, 1, 16, true, /*window=*/16),
                   AttentionLayer(4, 2, 16, true, /*window=*/0, /*kv_source=*/0)});
}

TEST(KvCacheF16SessionTest, LogitsStayCloseToTheF32Cache) {
  const ArchSpec spec = F16TestSpec();
  auto model = Model::CreateRandom(spec, WeightType::kF32, /*seed=*/5);
  ASSERT_TRUE(model.ok()) << model.status();
  constexpr size_t kPrompt = 150, kSteps = 6;
  constexpr uint32_t kContext = 256;
  constexpr int kWindowLayer = 2;
  struct Case {
    int threads;
    uint32_t max_batch;  // 4: many chunks; 128: two query blocks per chunk, then 22 tokens
  };
  const Case cases[] = {{1, 4}, {1, 128}, {2, 128}};
  std::vector<std::vector<float>> f16_logits[3];  // per case: after the prompt, each step
  double worst = 0;
  for (int c = 0; c < 3; ++c) {
    for (uint32_t seed : {1u, 2u, 3u}) {
      SCOPED_TRACE(::testing::Message() << "threads " << cases[c].threads << " max_batch "
                                        << cases[c].max_batch << " prompt seed " << seed);
      auto f32 = NewSession(*model, cases[c].threads, cases[c].max_batch, kContext);
      auto f16 =
          NewSession(*model, cases[c].threads, cases[c].max_batch, kContext, KvType::kF16);
      // The window layer's ring is shorter than the prompt: it wraps during the prefill.
      ASSERT_LT(f16->plan().kv_capacity[kWindowLayer], kPrompt);
      const auto tokens = Tokens(kPrompt, spec.vocab_size(), seed);
      auto want = f32->Prefill(tokens);
      auto got = f16->Prefill(tokens);
      for (size_t step = 0;; ++step) {
        ASSERT_TRUE(want.ok()) << want.status();
        ASSERT_TRUE(got.ok()) << got.status();
        const double error = RelativeL2Error(*got, *want);
        worst = std::max(worst, error);
        EXPECT_LT(error, 1e-2) << "step " << step;
        EXPECT_EQ(Argmax(*got), Argmax(*want)) << "step " << step;
        if (seed == 1) f16_logits[c].emplace_back(got->begin(), got->end());
        if (step == kSteps) break;
        const int32_t next = Argmax(*want);
        want = f32->Decode(next);
        got = f16->Decode(next);
      }
    }
  }
  // The f16 path converts exactly, so it is as thread-independent as the f32 one.
  ASSERT_EQ(f16_logits[1].size(), f16_logits[2].size());
  for (size_t i = 0; i < f16_logits[1].size(); ++i) {
    EXPECT_LE(RelativeError(f16_logits[2][i], f16_logits[1][i]), 1e-5) << "output " << i;
  }
  RecordProperty("worst_relative_l2_error", std::to_string(worst));
  std::printf("f16 against f32 K/V cache: worst relative L2 error of the logits %.3g\n", worst);
}

}  // namespace
}  // namespace nas::liv
