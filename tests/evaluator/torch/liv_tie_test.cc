// The numerical tie: for every operator kind and option (liv's operator-coverage specs),
// liv's logits equal libtorch's on the same weights and tokens within 1e-4 relative, at
// every position (decode, token by token) and after a whole-prompt prefill; weights go
// torch -> liv (ExportToLiv, the direction training uses) and liv -> torch (ImportFromLiv,
// liv's random weights, whose norms and scales differ from torch's initialisation).
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "evaluator/liv_export.h"
#include "evaluator/torch_model.h"
#include "gtest/gtest.h"
#include "tests/liv/runtime/test_specs.h"

namespace nas::eval {
namespace {

constexpr int kTokens = 21;  // longer than every sliding window of the specs
constexpr double kTolerance = 1e-4;

std::vector<int32_t> Tokens(int vocab) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < kTokens; ++i) tokens.push_back((i * 7 + 3) % vocab);
  return tokens;
}

// max |a - b| / max |b| over one position's logits.
double RelativeError(std::span<const float> liv, const torch::Tensor& reference) {
  const torch::Tensor ref = reference.contiguous();
  const float* r = ref.data_ptr<float>();
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < liv.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(double(liv[i]) - r[i]));
    max_ref = std::max(max_ref, std::abs(double(r[i])));
  }
  return max_diff / max_ref;
}

// Worst relative error of liv against torch over every position (decode) and the prefill.
double WorstError(TorchModel& torch_model, std::shared_ptr<liv::Model> liv_model) {
  const std::vector<int32_t> tokens = Tokens(static_cast<int>(torch_model.spec().vocab_size()));
  torch::NoGradGuard no_grad;
  const torch::Tensor ids =
      torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end())).unsqueeze(0);
  const torch::Tensor logits = torch_model.Forward(ids).squeeze(0);  // [time, vocab]
  liv::RuntimeOptions options;
  options.max_context = 64;
  auto session = liv::Session::Create(liv_model, options);
  EXPECT_TRUE(session.ok()) << session.status();
  double worst = 0;
  auto first = (*session)->Prefill(std::span(tokens).first(1));
  EXPECT_TRUE(first.ok()) << first.status();
  worst = std::max(worst, RelativeError(*first, logits[0]));
  for (int t = 1; t < kTokens; ++t) {
    auto step = (*session)->Decode(tokens[t]);
    EXPECT_TRUE(step.ok()) << step.status();
    worst = std::max(worst, RelativeError(*step, logits[t]));
  }
  (*session)->Reset();
  auto prefill = (*session)->Prefill(tokens);
  EXPECT_TRUE(prefill.ok()) << prefill.status();
  return std::max(worst, RelativeError(*prefill, logits[kTokens - 1]));
}

class LivTieTest : public ::testing::TestWithParam<ArchSpec> {};

TEST_P(LivTieTest, TorchWeightsExportedToLivGiveTheSameLogits) {
  auto model = TorchModel::Create(GetParam(), /*seed=*/11);
  ASSERT_TRUE(model.ok()) << model.status();
  {  // Make the trained-like weights larger than the initialisation's 0.02 embedding.
    torch::NoGradGuard no_grad;
    (*model)->tensor("token_embd").normal_(0.0, 1.0);
  }
  auto exported = ExportToLiv(**model);
  ASSERT_TRUE(exported.ok()) << exported.status();
  const double worst = WorstError(**model, *exported);
  EXPECT_LE(worst, kTolerance);
  std::printf("%s: worst relative logit error %.3g\n", GetParam().name().c_str(), worst);
}

TEST_P(LivTieTest, APerturbedWeightIsSeen) {  // the comparison is not vacuous
  auto model = TorchModel::Create(GetParam(), /*seed=*/11);
  ASSERT_TRUE(model.ok()) << model.status();
  auto exported = ExportToLiv(**model);
  ASSERT_TRUE(exported.ok()) << exported.status();
  {
    torch::NoGradGuard no_grad;
    (*model)->tensor("blk.0.attn_norm").mul_(1.01);
  }
  EXPECT_GT(WorstError(**model, *exported), 10 * kTolerance);
}

TEST_P(LivTieTest, LivRandomWeightsImportedToTorchGiveTheSameLogits) {
  auto liv_model = liv::Model::CreateRandom(GetParam(), liv::WeightType::kF32, /*seed=*/5);
  ASSERT_TRUE(liv_model.ok()) << liv_model.status();
  auto model = TorchModel::Create(GetParam(), /*seed=*/0);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(ImportFromLiv(**liv_model, **model).ok());
  EXPECT_LE(WorstError(**model, *liv_model), kTolerance);
}

INSTANTIATE_TEST_SUITE_P(EveryOperator, LivTieTest,
                         ::testing::ValuesIn(liv::testing::OperatorCoverageSpecs()),
                         [](const auto& info) { return info.param.name(); });

TEST(LivTie, BadSpecIsInvalidArgumentNamingTheField) {
  ArchSpec spec = liv::testing::OperatorCoverageSpecs().front();
  spec.mutable_layers(0)->mutable_attention()->set_num_kv_heads(3);
  auto model = TorchModel::Create(spec, 1);
  ASSERT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find("spec.layers[0].attention.num_kv_heads"),
            std::string::npos)
      << model.status();
}

}  // namespace
}  // namespace nas::eval
