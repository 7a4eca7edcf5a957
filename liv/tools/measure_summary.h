// A human-readable summary of a liv-measure JSON document (a few lines: model, prefill
// and decode speeds with their spread, time to first token, peak memory against the
// prediction), printed by liv-measure on stderr at the end of a run. Pure function.
#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace nas::liv {

std::string SummarizeMeasurement(const nlohmann::json& report);

}  // namespace nas::liv
