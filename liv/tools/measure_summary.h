// A human-readable summary of a liv-measure JSON document (a few lines: model, prefill
// and decode speeds with their 95% interval and whether each point met its bound (and why
// not), time to first token, the machine's bandwidth-noise verdict, peak memory against
// the prediction and its validity), printed by liv-measure on stderr at the end of a run.
// Pure function; tolerates documents of the previous protocol (fields missing).
#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace nas::liv {

std::string SummarizeMeasurement(const nlohmann::json& report);

}  // namespace nas::liv
