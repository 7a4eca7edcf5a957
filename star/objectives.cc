#include "star/objectives.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/cost_model.h"
#include "star/search_space_validate.h"

namespace nas::star {
namespace {

using agent::MeasureResult;

const MeasureResult* OkMeasurement(const CandidateFacts& facts, const std::string& device_class) {
  auto it = facts.measurements.find(device_class);
  if (it == facts.measurements.end() || it->second.outcome() != MeasureResult::OK) return nullptr;
  return &it->second;
}

std::optional<double> DecodeMs(const MeasureResult& m, uint32_t depth) {
  for (const auto& d : m.decode()) {
    if (d.depth() == depth) return d.ms_per_token().median();
  }
  return std::nullopt;
}

std::optional<double> PrefillMs(const MeasureResult& m, uint32_t length) {
  for (const auto& p : m.prefill()) {
    if (p.prompt_length() == length) return p.time_ms().median();
  }
  return std::nullopt;
}

// How far `value` falls short of `minimum` (relative), 0 when it does not.
double Shortfall(double value, double minimum) {
  return minimum > 0 && value < minimum ? 1 - value / minimum : 0;
}

double Excess(double value, double maximum) {
  return maximum > 0 && value > maximum ? value / maximum - 1 : 0;
}

}  // namespace

std::string CheckCheapConstraints(const SearchSpace& space, const ArchSpec& spec) {
  const uint64_t parameters = liv::CountParameters(spec);
  const Budgets& b = space.budgets();
  if (b.min_parameters() > 0 && parameters < b.min_parameters()) {
    return absl::StrCat(parameters, " parameters, below budgets.min_parameters (",
                        b.min_parameters(), ")");
  }
  if (b.max_parameters() > 0 && parameters > b.max_parameters()) {
    return absl::StrCat(parameters, " parameters, above budgets.max_parameters (",
                        b.max_parameters(), ")");
  }
  return "";
}

uint64_t ModelPeakMemoryBytes(const agent::MeasureResult& result) {
  return result.peak_memory_bytes() > result.probe_bytes()
             ? result.peak_memory_bytes() - result.probe_bytes()
             : result.peak_memory_bytes();
}

std::vector<std::string> ObjectiveNames(const SearchSpace& space) {
  std::vector<std::string> names;
  for (const Objective& o : space.objectives()) {
    std::string name = absl::AsciiStrToLower(Objective::Kind_Name(o.kind()));
    switch (o.kind()) {
      case Objective::DECODE_MS_PER_TOKEN:
        absl::StrAppend(&name, "[", o.device_class(), ",depth=", o.decode_depth(), "]");
        break;
      case Objective::PREFILL_TOKENS_PER_S:
      case Objective::TIME_TO_FIRST_TOKEN_MS:
        absl::StrAppend(&name, "[", o.device_class(), ",length=", o.prompt_length(), "]");
        break;
      case Objective::PEAK_MEMORY_BYTES:
        absl::StrAppend(&name, "[", o.device_class(), "]");
        break;
      case Objective::CACHE_BYTES:
        absl::StrAppend(&name, "[context=", o.context(), "]");
        break;
      default:
        break;
    }
    names.push_back(name);
  }
  return names;
}

absl::StatusOr<Evaluation> EvaluateCandidate(const SearchSpace& space,
                                             const CandidateFacts& facts) {
  Evaluation e;
  bool unmeasurable = false;
  for (const Objective& o : space.objectives()) {
    std::optional<double> value;
    const MeasureResult* m = o.device_class().empty() ? nullptr : OkMeasurement(facts, o.device_class());
    if (!o.device_class().empty() && m == nullptr) unmeasurable = true;
    switch (o.kind()) {
      case Objective::QUALITY:
        if (facts.quality) value = -*facts.quality;
        if (!facts.quality_failure.empty()) unmeasurable = true;
        break;
      case Objective::DECODE_MS_PER_TOKEN:
        if (m) value = DecodeMs(*m, o.decode_depth());
        break;
      case Objective::PREFILL_TOKENS_PER_S:
        if (m) {
          if (auto ms = PrefillMs(*m, o.prompt_length()); ms && *ms > 0) {
            value = -(o.prompt_length() * 1000.0 / *ms);
          }
        }
        break;
      case Objective::TIME_TO_FIRST_TOKEN_MS:
        if (m) value = PrefillMs(*m, o.prompt_length());
        break;
      case Objective::PEAK_MEMORY_BYTES:
        if (m) value = static_cast<double>(ModelPeakMemoryBytes(*m));
        break;
      case Objective::PARAMETERS:
        value = static_cast<double>(liv::CountParameters(facts.spec));
        break;
      case Objective::CACHE_BYTES:
        value = static_cast<double>(
            liv::CacheBytesAt(facts.spec, o.context(), KvElementBytesOf(space.protocol())).total());
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("objective kind ", Objective::Kind_Name(o.kind()), " is not supported"));
    }
    e.objectives.push_back(value && std::isfinite(*value) ? *value : kMissingObjective);
  }

  if (!CheckCheapConstraints(space, facts.spec).empty()) {
    const Budgets& b = space.budgets();
    const double p = static_cast<double>(liv::CountParameters(facts.spec));
    e.violation += Excess(p, static_cast<double>(b.max_parameters())) +
                   Shortfall(p, static_cast<double>(b.min_parameters()));
  }
  for (const DeviceBudget& b : space.budgets().devices()) {
    const MeasureResult* m = OkMeasurement(facts, b.device_class());
    if (m == nullptr) {
      unmeasurable = true;
      continue;
    }
    e.violation += Excess(static_cast<double>(ModelPeakMemoryBytes(*m)),
                          static_cast<double>(b.max_peak_memory_bytes()));
    if (b.min_decode_tokens_per_s() > 0) {
      const auto ms = DecodeMs(*m, b.decode_depth());
      e.violation += ms && *ms > 0 ? Shortfall(1000.0 / *ms, b.min_decode_tokens_per_s()) : 1.0;
    }
    if (b.min_prefill_tokens_per_s() > 0) {
      const auto ms = PrefillMs(*m, b.prompt_length());
      e.violation += ms && *ms > 0 ? Shortfall(b.prompt_length() * 1000.0 / *ms,
                                               b.min_prefill_tokens_per_s())
                                   : 1.0;
    }
  }
  if (unmeasurable) e.violation = std::numeric_limits<double>::infinity();
  return e;
}

}  // namespace nas::star
