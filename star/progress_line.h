// The live progress line of `star run` / `star resume`, e.g.
//   "gen 2/3 | measured 5/12, reused 2, rejected 1 | agents 3 (1 quarantined) | 0:42 | ETA 1:10 | measured 3fa9c2e1 on 127.0.0.1:50061 (laptop): OK"
// with " | evaluated 3/8, 1 without score" after the measurements while a trained
// evaluator scores the generation (the ETA counts the measurements and the trained
// evaluations left, at the pace seen so far: unknown until one of each has finished)
// and durations as H:MM:SS / M:SS. Pure functions.
#pragma once

#include <string>

#include "star/campaign.h"

namespace nas::star {

std::string FormatDuration(double seconds);
std::string FormatProgressLine(const CampaignProgress& progress);

}  // namespace nas::star
