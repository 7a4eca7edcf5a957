#include "star/report_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "star/campaign_snapshot.h"
#include "star/measure_requests.h"
#include "star/quality_evaluator.h"
#include "star/report_candidates.h"
#include "star/report_devices.h"
#include "star/report_layers.h"
#include "star/report_warnings.h"
#include "star/gguf_reference.h"
#include "star/search_space.h"
#include "star/search_space_validate.h"

namespace nas::star {
namespace {

// A campaign whose last record is this recent may still be running.
constexpr int64_t kRunningWithinMs = 10 * 60 * 1000;

using MeasurementKey = std::tuple<std::string, std::string, std::string>;  // hash, class, key

std::string ProtocolDescription(const agent::MeasureProtocol& requested,
                                const std::string& weight_type) {
  const agent::MeasureProtocol p = ProtocolWithDefaults(requested);
  auto or_default = [](uint32_t value, const char* fallback) {
    return value > 0 ? absl::StrCat(value) : std::string(fallback);
  };
  std::string out = absl::StrCat(
      "prompts ", absl::StrJoin(p.prompt_lengths(), ", "), " tokens; decode at depths ",
      absl::StrJoin(p.decode_depths(), ", "), " (", or_default(p.decode_tokens(), "32"),
      " tokens each); ", p.threads() > 0 ? absl::StrCat(p.threads()) : "all physical cores",
      p.threads() == 1 ? " thread; " : " threads; ", or_default(p.min_repetitions(), "6"), "-",
      or_default(p.max_repetitions(), "30"),
      " repetitions until the 95% CI of the median is within ",
      (p.target_ci() > 0 ? p.target_ci() : 0.02) * 100, "%, at most ",
      p.max_seconds_per_point() > 0 ? p.max_seconds_per_point() : 60.0, " s per point; weights ",
      weight_type.empty() ? "f32" : weight_type, ", K/V ",
      p.kv_type().empty() ? "f32" : p.kv_type());
  if (p.thermal_max_celsius() > 0) {
    absl::StrAppend(&out, "; waits until below ", p.thermal_max_celsius(), " C");
  }
  return out;
}

std::string EvaluatorDescription(const SearchSpace& space) {
  const Evaluator& e = space.evaluator();
  switch (e.kind()) {
    case Evaluator::KIND_UNSPECIFIED:
      return "no quality evaluator";
    case Evaluator::PROXY:
      return "training-free proxy (capacity and recall from the architecture); no training";
    default:
      break;
  }
  std::string out =
      absl::StrCat(Evaluator::Kind_Name(e.kind()), " training: ", e.training().ShortDebugString(),
                   "; seed ", e.seed());
  if (e.timeout_seconds() > 0) absl::StrAppend(&out, "; timeout ", e.timeout_seconds(), " s");
  if (!e.addresses().empty())
    absl::StrAppend(&out, "; services ", absl::StrJoin(e.addresses(), ", "));
  if (!e.command().empty()) absl::StrAppend(&out, "; command ", e.command());
  return out;
}

// Candidate.checkpoint and weight_type of the references read from GGUF files (the type
// from the file's header; left empty when the file can no longer be read).
void MarkCheckpointReferences(const SearchSpace& space, results::Report& report) {
  for (const Reference& reference : space.references()) {
    if (!reference.has_gguf()) continue;
    for (results::Candidate& c : *report.mutable_candidates()) {
      if (c.reference() != ReferenceLabel(reference)) continue;
      c.set_checkpoint(reference.gguf());
      if (auto model = ReadGgufReference(reference.gguf()); model.ok()) {
        c.set_weight_type(model->weight_type);
      }
    }
  }
}

}  // namespace

absl::StatusOr<results::Report> BuildReport(results::CampaignStore& store,
                                            const std::string& db_path, int64_t now_unix_ms,
                                            const ReportOptions& options) {
  NAS_ASSIGN_OR_RETURN(auto read, store.BeginRead());
  NAS_ASSIGN_OR_RETURN(CampaignSnapshot snapshot, LoadSnapshot(store));
  const SearchSpace& space = snapshot.space;
  NAS_ASSIGN_OR_RETURN(std::vector<results::CandidateRecord> records, store.Candidates());
  NAS_ASSIGN_OR_RETURN(std::vector<results::MeasurementRecord> measurements, store.Measurements());
  NAS_ASSIGN_OR_RETURN(std::vector<results::GenerationRecord> generations, store.Generations());
  NAS_ASSIGN_OR_RETURN(std::vector<results::AgentEventRecord> events, store.AgentEvents());
  NAS_ASSIGN_OR_RETURN(std::vector<results::DriftRecord> drift, store.Drift());
  NAS_ASSIGN_OR_RETURN(std::vector<results::EvaluationRecord> evaluations, store.Evaluations());
  NAS_ASSIGN_OR_RETURN(int64_t last_activity, store.LastActivityUnixMs());
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> space_path, store.Config(kConfigSpacePath));
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> created, store.Config(kConfigCreated));

  // The candidates of the generation in progress join the snapshot's (after its front).
  std::map<std::string, std::string> reference_of;
  for (const Reference& reference : space.references()) {
    NAS_ASSIGN_OR_RETURN(auto hash,
                         store.Config(kConfigReferencePrefix + ReferenceLabel(reference)));
    if (hash) reference_of[*hash] = ReferenceLabel(reference);
  }
  for (results::CandidateRecord& record : records) {
    if (record.first_generation <= snapshot.generations_done) continue;
    StoredCandidate c;
    if (auto it = reference_of.find(record.hash); it != reference_of.end())
      c.reference = it->second;
    NAS_ASSIGN_OR_RETURN(c.facts, LoadCandidateFacts(store, space, record, c.reference));
    NAS_ASSIGN_OR_RETURN(c.evaluation, EvaluateCandidate(space, c.facts));
    c.record = record;
    snapshot.candidates.push_back(std::move(c));
  }

  results::Report report;
  report.set_schema(kReportSchema);
  report.set_generated_unix_ms(now_unix_ms);

  // Measurements: the latest per (candidate, class, protocol key), references' drift
  // re-measurements aside, as the snapshot reads them; failures by outcome.
  std::map<std::string, std::string> protocol_key_of;
  for (const DeviceClass& d : space.devices()) protocol_key_of[d.name()] = ProtocolKey(space, d);
  std::map<MeasurementKey, const results::MeasurementRecord*> latest;
  std::map<std::string, int> failed_by_outcome;
  int failed = 0;
  uint32_t protocol_version = 0;
  for (const results::MeasurementRecord& m : measurements) {
    if (m.result.outcome() != agent::MeasureResult::OK) {
      ++failed;
      ++failed_by_outcome[agent::MeasureResult::Outcome_Name(m.result.outcome())];
    }
    if (protocol_version == 0) protocol_version = m.result.protocol_version();
    if (!m.is_reference) latest[{m.candidate_hash, m.device_class, m.protocol_key}] = &m;
  }

  // Campaign.
  results::Campaign& campaign = *report.mutable_campaign();
  campaign.set_db_path(db_path);
  campaign.set_space_name(space.name());
  campaign.set_space_path(space_path.value_or(""));
  campaign.set_space_description(space.description());
  int64_t created_ms = 0;
  if (created && absl::SimpleAtoi(*created, &created_ms)) campaign.set_created_unix_ms(created_ms);
  campaign.set_last_activity_unix_ms(std::max(last_activity, created_ms));
  campaign.set_generations_done(snapshot.generations_done);
  campaign.set_generations_planned(static_cast<int32_t>(space.evolution().generations()));
  campaign.set_population(static_cast<int32_t>(space.evolution().population()));
  campaign.set_seed(space.evolution().seed());
  campaign.set_complete(snapshot.complete);
  campaign.set_depth(static_cast<int32_t>(space.depth()));
  campaign.set_d_model(static_cast<int32_t>(space.d_model()));
  campaign.set_vocab_size(static_cast<int32_t>(space.vocab_size()));
  campaign.set_weight_type(space.weight_type().empty() ? "f32" : space.weight_type());
  campaign.set_candidates_total(static_cast<int32_t>(records.size()));
  campaign.set_candidates_rejected(static_cast<int32_t>(std::count_if(
      records.begin(), records.end(), [](const auto& r) { return !r.rejected_reason.empty(); })));
  campaign.set_measurements_total(static_cast<int32_t>(measurements.size()));
  campaign.set_measurements_failed(failed);

  for (results::ObjectiveInfo& o : ReportObjectives(snapshot))
    *report.add_objectives() = std::move(o);

  // Evaluator.
  results::EvaluatorInfo& evaluator = *report.mutable_evaluator();
  std::string evaluator_name = QualityEvaluatorName(space);
  if (evaluator_name.empty() && !evaluations.empty())
    evaluator_name = evaluations.front().evaluator;
  evaluator.set_name(evaluator_name);
  evaluator.set_kind(Evaluator::Kind_Name(space.evaluator().kind()));
  evaluator.set_is_proxy(space.evaluator().kind() == Evaluator::PROXY);
  evaluator.set_description(EvaluatorDescription(space));
  for (const Objective& o : space.objectives()) {
    if (o.kind() == Objective::QUALITY) evaluator.set_quality_is_objective(true);
  }
  for (const results::EvaluationRecord& e : evaluations) {
    if (e.evaluator != evaluator_name) continue;
    if (e.is_proxy) evaluator.set_is_proxy(true);
    if (e.failure.empty()) {
      evaluator.set_scored(evaluator.scored() + 1);
    } else {
      evaluator.set_failed(evaluator.failed() + 1);
    }
  }

  // Protocol.
  results::ProtocolInfo& protocol = *report.mutable_protocol();
  const agent::MeasureProtocol effective = ProtocolWithDefaults(space.protocol());
  protocol.set_description(ProtocolDescription(space.protocol(), space.weight_type()));
  for (uint32_t n : effective.prompt_lengths()) protocol.add_prompt_lengths(n);
  for (uint32_t d : effective.decode_depths()) protocol.add_decode_depths(d);
  protocol.set_protocol_version(protocol_version);

  // Devices and their agents.
  std::set<std::pair<std::string, std::string>> quarantined;  // class, agent
  for (const results::AgentEventRecord& e : events) {
    if (e.kind == "quarantined") quarantined.insert({e.device_class, e.agent});
  }
  for (const DeviceClass& d : space.devices()) {
    results::DeviceInfo& device = *report.add_devices();
    device.set_device_class(d.name());
    device.set_protocol_key(protocol_key_of[d.name()]);
    std::vector<std::string> addresses(d.agents().begin(), d.agents().end());
    std::map<std::string, results::AgentInfo> agents;
    for (const results::MeasurementRecord& m : measurements) {
      if (m.device_class != d.name()) continue;
      device.set_measurements(device.measurements() + 1);
      if (m.result.outcome() != agent::MeasureResult::OK) {
        device.set_failed_measurements(device.failed_measurements() + 1);
      }
      if (std::find(addresses.begin(), addresses.end(), m.agent) == addresses.end()) {
        addresses.push_back(m.agent);
      }
      results::AgentInfo& info = agents[m.agent];
      const int count = info.measurements() + 1;
      if (info.cpu().empty() || m.result.outcome() == agent::MeasureResult::OK) {
        info = ReportAgentInfo(m.agent, m.result);
      }
      info.set_measurements(count);
    }
    for (const std::string& address : addresses) {
      results::AgentInfo info = agents.contains(address) ? agents[address] : results::AgentInfo();
      info.set_address(address);
      info.set_quarantined(quarantined.contains({d.name(), address}));
      *device.add_agents() = std::move(info);
    }
  }

  for (results::LegendEntry& e : LayerLegend()) *report.add_layer_legend() = std::move(e);

  // Candidates.
  const std::set<int> front(snapshot.front.begin(), snapshot.front.end());
  for (int i = 0; i < static_cast<int>(snapshot.candidates.size()); ++i) {
    const StoredCandidate& stored = snapshot.candidates[i];
    results::Candidate candidate = ReportCandidate(snapshot, i, front.contains(i));
    const bool details =
        options.details_for_all || candidate.on_front() || !candidate.reference().empty();
    if (details) {
      for (results::LayerDetail& detail : LayerDetails(stored.record.spec)) {
        *candidate.add_layer_details() = std::move(detail);
      }
    }
    for (const DeviceClass& d : space.devices()) {
      auto it = latest.find(
          {stored.record.hash, d.name(), CandidateProtocolKey(space, d, stored.reference)});
      if (it == latest.end()) continue;
      results::DeviceFigures figures = ReportDeviceFigures(
          space, d.name(), stored.record.spec, it->second->agent, it->second->result);
      if (!details) figures.clear_memory_by_context();
      *candidate.add_devices() = std::move(figures);
    }
    *report.add_candidates() = std::move(candidate);
  }
  MarkCheckpointReferences(space, report);

  // Generations.
  std::map<int, int> new_candidates;
  for (const results::CandidateRecord& r : records) ++new_candidates[r.first_generation];
  for (const results::GenerationRecord& g : generations) {
    results::Generation& out = *report.add_generations();
    out.set_number(g.number);
    out.set_hypervolume(g.hypervolume);
    out.set_new_candidates(new_candidates[g.number]);
    out.set_front_size(static_cast<int32_t>(std::count(g.ranks.begin(), g.ranks.end(), 0)));
  }

  for (const results::AgentEventRecord& e : events) {
    results::Event& out = *report.add_events();
    out.set_unix_ms(e.unix_ms);
    out.set_device_class(e.device_class);
    out.set_worker(e.agent);
    out.set_kind(e.kind);
    out.set_message(e.message);
  }
  for (const results::DriftRecord& d : drift) {
    results::Drift& out = *report.add_drift();
    out.set_generation(d.generation);
    out.set_reference(d.reference);
    out.set_device_class(d.device_class);
    out.set_metric(d.metric);
    out.set_value(d.value);
    out.set_baseline(d.baseline);
    if (d.baseline != 0) out.set_ratio(d.value / d.baseline);
  }

  const bool running =
      !snapshot.complete && now_unix_ms - campaign.last_activity_unix_ms() <= kRunningWithinMs;
  for (std::string& w : ReportWarnings(report, running, failed_by_outcome)) {
    report.add_warnings(std::move(w));
  }
  return report;
}

}  // namespace nas::star
