#include "star/progress_line.h"

#include <gtest/gtest.h>

namespace nas::star {
namespace {

TEST(ProgressLineTest, Durations) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(59.4), "0:59");
  EXPECT_EQ(FormatDuration(61), "1:01");
  EXPECT_EQ(FormatDuration(3600 + 5 * 60 + 7), "1:05:07");
  EXPECT_EQ(FormatDuration(-1), "?");
}

TEST(ProgressLineTest, SaysWhatIsDoneWhatIsLeftAndWhatWentWrong) {
  CampaignProgress p;
  p.generation = 2;
  p.generations = 3;
  p.jobs_done = 5;
  p.jobs_total = 12;
  p.agents = 3;
  p.elapsed_seconds = 42;
  p.eta_seconds = -1;
  EXPECT_EQ(FormatProgressLine(p), "gen 2/3 | measured 5/12 | agents 3 | 0:42 | ETA ?");
  p.reused = 2;
  p.rejected = 1;
  p.failed = 1;
  p.agents_quarantined = 1;
  p.eta_seconds = 70;
  p.message = "agent 127.0.0.1:1 (laptop) failed: UNAVAILABLE";
  EXPECT_EQ(FormatProgressLine(p),
            "gen 2/3 | measured 5/12, reused 2, rejected 1, FAILED 1 | agents 3 (1 quarantined) | "
            "0:42 | ETA 1:10 | agent 127.0.0.1:1 (laptop) failed: UNAVAILABLE");
}

TEST(ProgressLineTest, CountsEvaluationsWhileATrainedEvaluatorScores) {
  const CampaignProgress p{.generation = 1,
                           .generations = 3,
                           .jobs_done = 12,
                           .jobs_total = 12,
                           .agents = 3,
                           .evaluations_done = 3,
                           .evaluations_total = 8,
                           .evaluations_failed = 1,
                           .elapsed_seconds = 42,
                           .eta_seconds = -1,
                           .message = "training tiny-hybrid: in_context_recall lr=0.003 run 1/6"};
  EXPECT_EQ(FormatProgressLine(p),
            "gen 1/3 | measured 12/12 | evaluated 3/8, 1 without score | agents 3 | 0:42 | "
            "ETA ? | training tiny-hybrid: in_context_recall lr=0.003 run 1/6");
}

}  // namespace
}  // namespace nas::star
