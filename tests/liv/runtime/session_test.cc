// The executor against the naive reference, decode against prefill, and thread-count
// independence, for every operator kind and option; weight sharing stores each shared
// tensor once and computes as if the sharer held copies of its source's weights.
#include "liv/runtime/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "liv/model/weight_layout.h"
#include "tests/liv/runtime/reference_model.h"
#include "tests/liv/runtime/session_test_util.h"
#include "tests/liv/runtime/test_specs.h"

namespace nas::liv {
namespace {

using testing::NewSession;
using testing::RelativeError;
using testing::Tokens;

using testing::OperatorCoverageSpecs;

std::vector<float> Copy(std::span<const float> s) { return {s.begin(), s.end()}; }

class OperatorTest : public ::testing::TestWithParam<ArchSpec> {
 protected:
  void SetUp() override {
    auto model = Model::CreateRandom(GetParam(), WeightType::kF32, /*seed=*/42);
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = *model;
  }
  std::shared_ptr<Model> model_;
};

TEST_P(OperatorTest, PrefillMatchesNaiveReference) {
  const auto tokens = Tokens(13, GetParam().vocab_size());
  const auto reference = testing::ReferenceForward(GetParam(), model_->weights(), tokens);
  for (uint32_t max_batch : {1u, 4u, 16u}) {
    auto session = NewSession(model_, 1, max_batch);
    auto logits = session->Prefill(tokens);
    ASSERT_TRUE(logits.ok()) << logits.status();
    EXPECT_LE(RelativeError(*logits, reference.back()), 1e-4) << "max_batch " << max_batch;
  }
}

TEST_P(OperatorTest, DecodeAfterPrefillMatchesLongerPrefill) {
  const auto tokens = Tokens(24, GetParam().vocab_size());
  const auto reference = testing::ReferenceForward(GetParam(), model_->weights(), tokens);
  // (n, m) pairs crossing the windows (3..6), the chunk size (4) and the ring capacity.
  const std::pair<size_t, size_t> cases[] = {{1, 10}, {3, 4}, {4, 5}, {5, 3}, {6, 6},
                                             {9, 11}, {13, 2}, {17, 7}};
  for (auto [n, m] : cases) {
    auto decoded = NewSession(model_);
    ASSERT_TRUE(decoded->Prefill(std::span(tokens.data(), n)).ok());
    std::vector<float> last;
    for (size_t j = 0; j < m; ++j) {
      auto logits = decoded->Decode(tokens[n + j]);
      ASSERT_TRUE(logits.ok()) << logits.status();
      last = Copy(*logits);
      EXPECT_LE(RelativeError(last, reference[n + j]), 1e-4) << "n " << n << " step " << j;
    }
    auto prefilled = NewSession(model_);
    auto logits = prefilled->Prefill(std::span(tokens.data(), n + m));
    ASSERT_TRUE(logits.ok()) << logits.status();
    EXPECT_LE(RelativeError(last, *logits), 1e-4) << "n " << n << " m " << m;
    EXPECT_EQ(decoded->position(), n + m);
  }
}

TEST_P(OperatorTest, ResetStartsAFreshSequence) {
  const auto tokens = Tokens(9, GetParam().vocab_size());
  auto session = NewSession(model_);
  auto first = session->Prefill(tokens);
  ASSERT_TRUE(first.ok());
  const auto expected = Copy(*first);
  ASSERT_TRUE(session->Decode(3).ok());
  session->Reset();
  auto again = session->Prefill(tokens);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Copy(*again), expected);
}

INSTANTIATE_TEST_SUITE_P(AllOperators, OperatorTest,
                         ::testing::ValuesIn(OperatorCoverageSpecs()),
                         [](const auto& info) { return info.param.name(); });

TEST(SessionTest, ResultsDoNotDependOnThreadCount) {
  using namespace testing;
  const ArchSpec spec =
      MakeSpec("threads", 301, 256,
               {ConvLayer(3, ShortConv::DOUBLE), AttentionLayer(8, 4, 32, true),
                RecurrenceLayer(4, 32), AttentionLayer(8, 2, 32, true, 20),
                AttentionLayer(8, 4, 32, true, 0, 1), WithGelu(ConvLayer(4, ShortConv::NONE), 200),
                SharingWeightsOf(AttentionLayer(8, 4, 32, true), 1),
                SharingWeightsOf(RecurrenceLayer(4, 32), 2)});
  auto model = Model::CreateRandom(spec, WeightType::kF32, 3);
  ASSERT_TRUE(model.ok());
  const auto tokens = Tokens(150, spec.vocab_size());
  std::vector<std::vector<float>> results[2];
  for (int threads : {1, 2}) {
    auto session = NewSession(*model, threads, /*max_batch=*/64, /*max_context=*/256);
    auto logits = session->Prefill(tokens);
    ASSERT_TRUE(logits.ok());
    results[threads - 1].push_back(Copy(*logits));
    for (int j = 0; j < 5; ++j) {
      auto step = session->Decode(tokens[j]);
      ASSERT_TRUE(step.ok());
      results[threads - 1].push_back(Copy(*step));
    }
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_LE(RelativeError(results[1][i], results[0][i]), 1e-5) << "output " << i;
  }
}

TEST(SessionTest, RandomWeightsAreDeterministicAndThreadIndependent) {
  const ArchSpec spec = OperatorCoverageSpecs().front();
  auto a = Model::CreateRandom(spec, WeightType::kF32, 11, 1);
  auto b = Model::CreateRandom(spec, WeightType::kF32, 11, 2);
  auto c = Model::CreateRandom(spec, WeightType::kF32, 12, 1);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  const float* wa = (*a)->weights().layer(0).q.f32();
  const float* wb = (*b)->weights().layer(0).q.f32();
  const float* wc = (*c)->weights().layer(0).q.f32();
  EXPECT_TRUE(std::equal(wa, wa + 400, wb));
  EXPECT_FALSE(std::equal(wa, wa + 400, wc));
}

TEST(SessionTest, RejectsBadTokensAndFullContext) {
  auto model = Model::CreateRandom(OperatorCoverageSpecs().front(), WeightType::kF32, 1);
  ASSERT_TRUE(model.ok());
  auto session = NewSession(*model, 1, 4, /*max_context=*/8);
  const std::vector<int32_t> bad = {1, 37};
  auto result = session->Prefill(bad);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("token 1: id 37 is outside the vocabulary [0, 37)"),
            std::string::npos)
      << result.status();
  EXPECT_EQ(session->position(), 0u);
  const std::vector<int32_t> nine(9, 1);
  EXPECT_EQ(session->Prefill(nine).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(session->Prefill(std::span(nine.data(), 8)).ok());
  EXPECT_EQ(session->Decode(1).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(SessionTest, RejectsAnInvalidSpec) {
  ArchSpec spec = OperatorCoverageSpecs().front();
  spec.set_d_model(0);
  EXPECT_EQ(Model::CreateRandom(spec, WeightType::kF32, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

ArchSpec CoverageSpec(const std::string& name) {
  for (const ArchSpec& spec : OperatorCoverageSpecs()) {
    if (spec.name() == name) return spec;
  }
  ADD_FAILURE() << "no coverage spec " << name;
  return {};
}

const char* const kWeightSharingSpecs[] = {
    "conv_weight_sharing", "attention_weight_sharing", "windowed_attention_weight_sharing",
    "recurrence_weight_sharing", "no_channel_mixer_weight_sharing"};

// The same architecture with every layer holding weights of its own.
ArchSpec WithoutWeightSharing(ArchSpec spec) {
  for (Layer& layer : *spec.mutable_layers()) layer.clear_weight_source_layer();
  return spec;
}

// "blk.2.attn_q" -> "attn_q"
std::string Suffix(const std::string& name) { return name.substr(name.find('.', 4) + 1); }

TEST(WeightSharingTest, SharersPointAtTheirSourcesTensors) {
  for (const char* name : kWeightSharingSpecs) {
    SCOPED_TRACE(name);
    const ArchSpec spec = CoverageSpec(name);
    auto model = Model::CreateRandom(spec, WeightType::kF32, 5);
    ASSERT_TRUE(model.ok()) << model.status();
    ModelWeights& w = (*model)->mutable_weights();
    int sharers = 0;
    for (int i = 0; i < spec.layers_size(); ++i) {
      const Layer& layer = spec.layers(i);
      if (!layer.has_weight_source_layer()) continue;
      ++sharers;
      const LayerWeights& mine = w.layer(i);
      const LayerWeights& source = w.layer(static_cast<int>(layer.weight_source_layer()));
      ASSERT_NE(mine.attn_norm, nullptr) << "layer " << i;
      EXPECT_EQ(mine.attn_norm, source.attn_norm) << "layer " << i;
      EXPECT_EQ(mine.q.data, source.q.data);
      EXPECT_EQ(mine.o.data, source.o.data);
      EXPECT_EQ(mine.q_norm, source.q_norm);
      const bool owns_kv = !layer.has_attention() || !layer.attention().has_kv_source_layer();
      EXPECT_EQ(mine.k.data, owns_kv ? source.k.data : nullptr);
      EXPECT_EQ(mine.v.data, owns_kv ? source.v.data : nullptr);
      EXPECT_EQ(mine.k_norm, owns_kv ? source.k_norm : nullptr);
      if (layer.has_attention() && owns_kv) {
        EXPECT_NE(mine.k.data, nullptr);
      }
      EXPECT_EQ(mine.conv_in.data, source.conv_in.data);
      EXPECT_EQ(mine.conv_taps, source.conv_taps);
      EXPECT_EQ(mine.conv_out.data, source.conv_out.data);
      EXPECT_EQ(mine.ffn_norm, source.ffn_norm);
      for (auto field : {&LayerWeights::rec_q, &LayerWeights::rec_k, &LayerWeights::rec_v,
                         &LayerWeights::rec_decay, &LayerWeights::rec_gate,
                         &LayerWeights::rec_out, &LayerWeights::ffn_gate, &LayerWeights::ffn_up,
                         &LayerWeights::ffn_down}) {
        EXPECT_EQ((mine.*field).data, (source.*field).data) << "layer " << i;
      }
      // Nothing of its own is stored.
      EXPECT_EQ(w.mutable_tensor("blk." + std::to_string(i) + ".attn_norm"), nullptr);
    }
    EXPECT_GE(sharers, 2);
  }
}

// The weight allocation (resident memory) and the plan shrink by exactly the tensors the
// sharers would otherwise hold; caches and activations do not change.
TEST(WeightSharingTest, SharedTensorsAreAllocatedOnce) {
  for (const char* name : kWeightSharingSpecs) {
    SCOPED_TRACE(name);
    const ArchSpec spec = CoverageSpec(name);
    const ArchSpec twin = WithoutWeightSharing(spec);
    auto shared = Model::CreateRandom(spec, WeightType::kF32, 5);
    auto unshared = Model::CreateRandom(twin, WeightType::kF32, 5);
    ASSERT_TRUE(shared.ok() && unshared.ok());
    uint64_t allocated = 0, planned = 0;  // bytes the sharers would hold
    for (int i = 0; i < spec.layers_size(); ++i) {
      if (!spec.layers(i).has_weight_source_layer()) continue;
      for (const TensorShape& t : LayerTensors(spec, i)) {
        allocated += AlignedFloats(t.elements()) * sizeof(float);
        planned += t.elements() * sizeof(float);
      }
    }
    ASSERT_GT(planned, 0u);
    EXPECT_EQ((*shared)->weights().bytes(), (*unshared)->weights().bytes() - allocated);
    EXPECT_LT((*shared)->weights().layout().size(), (*unshared)->weights().layout().size());
    auto session = NewSession(*shared);
    auto twin_session = NewSession(*unshared);
    const MemoryPlan& a = session->plan();
    const MemoryPlan& b = twin_session->plan();
    EXPECT_EQ(a.weights, b.weights - planned);
    EXPECT_EQ(a.caches(), b.caches());
    EXPECT_EQ(a.kv_capacity, b.kv_capacity);
    EXPECT_EQ(a.activations, b.activations);
    EXPECT_EQ(a.attention_scratch, b.attention_scratch);
    EXPECT_EQ(a.total(), b.total() - planned);
  }
}

// A sharing model computes exactly what the same architecture computes without sharing
// when each sharer holds copies of its source's tensors.
TEST(WeightSharingTest, SharingEqualsCopiesOfTheSourceWeights) {
  for (const char* name : kWeightSharingSpecs) {
    SCOPED_TRACE(name);
    const ArchSpec spec = CoverageSpec(name);
    auto shared = Model::CreateRandom(spec, WeightType::kF32, 5);
    auto copied = Model::CreateRandom(WithoutWeightSharing(spec), WeightType::kF32, 9);
    ASSERT_TRUE(shared.ok() && copied.ok());
    ModelWeights& from = (*shared)->mutable_weights();
    ModelWeights& to = (*copied)->mutable_weights();
    for (const TensorShape& t : std::vector<TensorShape>(to.layout())) {
      std::string source = t.name;
      if (t.layer >= 0 && spec.layers(t.layer).has_weight_source_layer()) {
        source = "blk." + std::to_string(spec.layers(t.layer).weight_source_layer()) + "." +
                 Suffix(t.name);
      }
      const float* src = from.mutable_tensor(source);
      ASSERT_NE(src, nullptr) << source;
      std::copy(src, src + t.elements(), to.mutable_tensor(t.name));
    }
    const auto tokens = Tokens(13, spec.vocab_size());
    auto a = NewSession(*shared);
    auto b = NewSession(*copied);
    auto la = a->Prefill(tokens);
    ASSERT_TRUE(la.ok());
    const auto first = Copy(*la);
    auto lb = b->Prefill(tokens);
    ASSERT_TRUE(lb.ok());
    EXPECT_EQ(first, Copy(*lb));
    for (int j = 0; j < 5; ++j) {
      auto da = a->Decode(tokens[j]);
      ASSERT_TRUE(da.ok());
      const auto step = Copy(*da);
      auto db = b->Decode(tokens[j]);
      ASSERT_TRUE(db.ok());
      EXPECT_EQ(step, Copy(*db)) << "step " << j;
    }
  }
}

}  // namespace
}  // namespace nas::liv
