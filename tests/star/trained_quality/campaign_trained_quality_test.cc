// A campaign on the tiny space whose quality objective is the real evaluator: every
// admitted candidate trained with libtorch on MAD in-context recall (nas::eval::Evaluate,
// in process), measured by in-process fake agents. It completes, every score is a trained
// (non-proxy) accuracy, and its front holds hybrids — attention beside convolutions or
// recurrences — not only pure attention or pure convolution stacks. Its own binary
// (star_trainer_tests), so that star_tests does not load libtorch.
#include <gtest/gtest.h>

#include <cstdio>

#include "evaluator/evaluate.h"
#include "star/campaign.h"
#include "star/campaign_snapshot.h"
#include "star/layer_string.h"
#include "star/search_space.h"
#include "tests/star/campaign_test_util.h"
#include "tests/star/fake_agent.h"

namespace nas::star {
namespace {

bool IsHybrid(const ArchSpec& spec) {
  bool attention = false, other = false;
  for (const Layer& l : spec.layers()) (l.has_attention() ? attention : other) = true;
  return attention && other;
}

TEST(CampaignTrainedQuality, TinySpaceCompletesAndItsFrontHoldsHybrids) {
  testing::FakeAgent laptop, phone;
  auto shipped = LoadSearchSpace(std::string(NAS_SEARCH_SPACES_DIR) + "/tiny.textproto");
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  ASSERT_EQ(shipped->evaluator().kind(), Evaluator::MAD);
  const std::string space = testing::WriteTinySpace(
      "trained_quality", {laptop.address()}, {phone.address()}, [&](SearchSpace& s) {
        // The tiny space's own evaluator block, at a CI budget: recall at length 64, 120 steps.
        *s.mutable_evaluator() = shipped->evaluator();
        s.mutable_evaluator()->mutable_training()->mutable_budget()->set_steps(120);
        s.mutable_evaluator()->mutable_training()->mutable_budget()->set_eval_examples(128);
      });
  const std::string db = testing::FreshDbPath("trained_quality");
  QualityEvaluatorDeps deps;
  deps.local = eval::Evaluate;
  auto campaign = Campaign::Create(db, space, deps);
  ASSERT_TRUE(campaign.ok()) << campaign.status();
  CampaignRunOptions options;
  options.quality = deps;
  ASSERT_TRUE((*campaign)->Run(options).ok());

  auto store = results::CampaignStore::Open(db, true);
  ASSERT_TRUE(store.ok());
  auto snapshot = LoadSnapshot(**store);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_TRUE(snapshot->complete);
  auto evaluations = (*store)->Evaluations();
  ASSERT_TRUE(evaluations.ok());
  ASSERT_FALSE(evaluations->empty());
  double lowest = 1, highest = 0;
  for (const auto& e : *evaluations) {
    EXPECT_FALSE(e.is_proxy);
    EXPECT_EQ(e.evaluator.rfind("mad:", 0), 0u) << e.evaluator;
    if (e.failure.empty()) {
      lowest = std::min(lowest, e.quality);
      highest = std::max(highest, e.quality);
    }
  }
  EXPECT_GT(highest - lowest, 0.2) << "trained accuracies should separate the candidates";
  int hybrids = 0;
  for (int i : snapshot->front) {
    const StoredCandidate& c = snapshot->candidates[i];
    std::printf("front: %s quality %.4f%s\n", LayerString(c.record.spec).c_str(),
                c.facts.quality.value_or(-1), IsHybrid(c.record.spec) ? "  (hybrid)" : "");
    hybrids += IsHybrid(c.record.spec);
  }
  EXPECT_GT(hybrids, 0);
}

}  // namespace
}  // namespace nas::star
