#include "star/campaign_measure.h"

#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/text_file.h"
#include "star/gguf_reference.h"
#include "star/measure_requests.h"
#include "star/objectives.h"
#include "star/search_space.h"

namespace nas::star {
namespace {

constexpr uint64_t kMaxTokenBytes = 4096;

}  // namespace

absl::StatusOr<std::vector<AgentAddress>> FleetAgents(const SearchSpace& space,
                                                      const std::string& space_path) {
  std::vector<AgentAddress> agents;
  for (const DeviceClass& device : space.devices()) {
    std::string token;
    if (!device.token_file().empty()) {
      NAS_ASSIGN_OR_RETURN(token, ReadUserFile(ResolveSpacePath(space_path, device.token_file()),
                                               kMaxTokenBytes, "a token"));
      token = std::string(absl::StripAsciiWhitespace(token));
    }
    for (const std::string& address : device.agents()) {
      agents.push_back({device.name(), address, token});
    }
  }
  return agents;
}

MeasurePhase::MeasurePhase(results::CampaignStore& store, const SearchSpace& space, Fleet& fleet,
                           const CampaignRunOptions& options, const std::atomic<bool>& stop)
    : store_(store), space_(space), fleet_(fleet), options_(options), stop_(stop) {}

MeasurePhase::~MeasurePhase() = default;

// Whether the store (or a reuse store, whose record is then copied in) already holds the
// measurement.
absl::StatusOr<bool> MeasurePhase::Reuse(const std::string& hash, const std::string& device_class,
                                         const std::string& protocol_key, int generation) {
  NAS_ASSIGN_OR_RETURN(auto own, store_.FindMeasurement(hash, device_class, protocol_key));
  if (own) return true;
  if (!reuse_stores_opened_) {
    reuse_stores_opened_ = true;
    for (const std::string& path : options_.reuse_from) {
      NAS_ASSIGN_OR_RETURN(auto other, results::CampaignStore::Open(path, /*read_only=*/true));
      reuse_stores_.push_back(std::move(other));
    }
  }
  for (auto& other : reuse_stores_) {
    NAS_ASSIGN_OR_RETURN(auto found, other->FindMeasurement(hash, device_class, protocol_key));
    if (!found) continue;
    found->generation = generation;
    NAS_RETURN_IF_ERROR(store_.PutMeasurement(*found));
    return true;
  }
  return false;
}

absl::Status MeasurePhase::RecordDrift(const Job& job, const agent::MeasureResult& result) {
  NAS_ASSIGN_OR_RETURN(auto baseline,
                       store_.FindMeasurement(job.hash, job.device_class, job.protocol_key));
  if (!baseline || baseline->result.outcome() != agent::MeasureResult::OK ||
      result.outcome() != agent::MeasureResult::OK) {
    return absl::OkStatus();  // nothing comparable
  }
  auto put = [&](const std::string& metric, double value, double base) {
    return store_.PutDrift(
        {job.drift_generation, job.reference, job.device_class, metric, value, base});
  };
  for (const agent::DecodeStats& d : result.decode()) {
    for (const agent::DecodeStats& b : baseline->result.decode()) {
      if (b.depth() != d.depth()) continue;
      NAS_RETURN_IF_ERROR(put(absl::StrCat("decode_ms_per_token@", d.depth()),
                              d.ms_per_token().median(), b.ms_per_token().median()));
    }
  }
  for (const agent::PrefillStats& p : result.prefill()) {
    for (const agent::PrefillStats& b : baseline->result.prefill()) {
      if (b.prompt_length() != p.prompt_length()) continue;
      NAS_RETURN_IF_ERROR(put(absl::StrCat("prefill_tokens_per_s@", p.prompt_length()),
                              p.tokens_per_s().median(), b.tokens_per_s().median()));
    }
  }
  return put("peak_memory_bytes", static_cast<double>(ModelPeakMemoryBytes(result)),
             static_cast<double>(ModelPeakMemoryBytes(baseline->result)));
}

absl::Status MeasurePhase::Run(int generation, const std::vector<NewCandidate>& news,
                               const std::map<std::string, std::string>& reference_hashes,
                               std::chrono::steady_clock::time_point started,
                               int later_candidates, double seconds_after,
                               CampaignProgress* progress) {
  std::vector<Job> jobs;
  std::vector<MeasureJob> requests;
  NAS_ASSIGN_OR_RETURN(const auto dispatched, store_.Dispatches());
  // The references read from GGUF files, by label (headers read once per campaign run):
  // the agents measure the file itself.
  for (const Reference& reference : space_.references()) {
    if (!reference.has_gguf() || gguf_models_.count(ReferenceLabel(reference))) continue;
    NAS_ASSIGN_OR_RETURN(gguf_models_[ReferenceLabel(reference)],
                         ReadGgufReference(reference.gguf()));
  }
  const auto& gguf_models = gguf_models_;
  auto add = [&](Job job, const ArchSpec& spec, const DeviceClass& device) {
    const std::string id = MeasureRequestId(job.hash, job.device_class, job.protocol_key,
                                            job.drift_generation);
    agent::MeasureRequest request = MakeMeasureRequest(space_, device, spec, id);
    if (auto gguf = gguf_models.find(job.reference); gguf != gguf_models.end()) {
      UseGgufModel(gguf->second, &request);
    }
    // A request sent before a crash goes back to the agent that may have its result.
    auto sent = dispatched.find(id);
    requests.push_back({jobs.size(), job.device_class, std::move(request),
                        sent == dispatched.end() ? std::string() : sent->second});
    jobs.push_back(std::move(job));
  };
  for (const NewCandidate& n : news) {
    if (!n.rejected_reason.empty() && n.reference.empty()) {
      ++progress->rejected;
      continue;
    }
    for (const DeviceClass& device : space_.devices()) {
      const std::string key = CandidateProtocolKey(space_, device, n.reference);
      NAS_ASSIGN_OR_RETURN(bool reused, Reuse(n.hash, device.name(), key, generation));
      if (reused) {
        ++progress->reused;
        continue;
      }
      add({n.hash, device.name(), key, n.reference, 0}, n.spec, device);
    }
  }
  const int every = static_cast<int>(space_.evolution().reference_remeasure_every());
  if (generation > 1 && every > 0 && (generation - 1) % every == 0) {
    for (const auto& [name, hash] : reference_hashes) {
      NAS_ASSIGN_OR_RETURN(auto candidate, store_.Candidate(hash));
      if (!candidate) continue;
      for (const DeviceClass& device : space_.devices()) {
        const std::string key = CandidateProtocolKey(space_, device, name);
        NAS_ASSIGN_OR_RETURN(auto done,
                             store_.FindReferenceMeasurement(hash, device.name(), key, generation));
        if (!done) add({hash, device.name(), key, name, generation}, candidate->spec, device);
      }
    }
  }
  progress->jobs_total = static_cast<int>(jobs.size());
  const auto agents = fleet_.Agents();
  progress->agents = static_cast<int>(agents.size());

  std::mutex mutex;
  absl::Status write_error;
  bool cancelled = false;
  std::string failure;
  std::map<std::string, int> class_total, class_done;
  for (const Job& job : jobs) ++class_total[job.device_class];
  // The per-class share of a later generation's candidates that need measuring here.
  share_.clear();
  for (const DeviceClass& device : space_.devices()) {
    const std::string& c = device.name();
    share_[c] = news.empty() ? 1.0
                             : static_cast<double>(class_total[c]) /
                                   static_cast<double>(news.size());
  }
  // Seconds until the end of the campaign: the measurements left in this generation and
  // the later generations', then `seconds_after` (the quality evaluations); unknown (-1)
  // until both are known.
  auto eta = [&]() -> double {
    std::map<std::string, double> left;
    for (const auto& [c, share] : share_) {
      left[c] = class_total[c] - class_done[c] + later_candidates * share;
    }
    const double measuring = Seconds(left);
    return measuring < 0 || seconds_after < 0 ? -1 : measuring + seconds_after;
  };
  auto report = [&] {
    progress->elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress->eta_seconds = eta();
    int quarantined = 0;
    for (const AgentState& a : fleet_.Agents()) quarantined += a.quarantined;
    progress->agents_quarantined = quarantined;
    if (options_.on_progress) options_.on_progress(*progress);
  };
  report();
  if (jobs.empty()) return absl::OkStatus();

  auto on_result = [&](const JobResult& r) {
    std::lock_guard<std::mutex> lock(mutex);
    const Job& job = jobs[r.id];
    if (!r.status.ok()) {
      if (r.status.code() == absl::StatusCode::kCancelled) {
        cancelled = true;
        return;
      }
      ++progress->failed;
      if (failure.empty()) {
        failure = absl::StrCat(job.device_class, ": ", r.status.message());
      }
      progress->message = absl::StrCat("no agent could measure ", job.hash.substr(0, 8), " on ",
                                       job.device_class, ": ", r.status.message());
      report();
      return;
    }
    results::MeasurementRecord m{job.hash, job.device_class, job.protocol_key, r.agent,
                                 r.result, generation, job.drift_generation > 0};
    absl::Status s = store_.PutMeasurement(m);
    if (s.ok() && job.drift_generation > 0) s = RecordDrift(job, r.result);
    if (!s.ok() && write_error.ok()) write_error = s;
    ++progress->jobs_done;
    ++class_done[job.device_class];
    ++timing_[job.device_class].jobs;
    timing_[job.device_class].seconds += r.seconds;
    progress->message =
        absl::StrCat(job.drift_generation > 0 ? "re-measured reference " : "measured ",
                     job.reference.empty() ? job.hash.substr(0, 8) : job.reference, " on ",
                     r.agent, " (", job.device_class, "): ",
                     agent::MeasureResult::Outcome_Name(r.result.outcome()));
    report();
  };
  auto on_event = [&](const AgentEvent& e) {
    std::lock_guard<std::mutex> lock(mutex);
    absl::Status s = store_.PutAgentEvent({0, e.device_class, e.agent, WorkerEventKindName(e.kind), e.message});
    if (!s.ok() && write_error.ok()) write_error = s;
    progress->message = absl::StrCat("agent ", e.agent, " (", e.device_class, ") ",
                                     e.kind == AgentEventKind::kQuarantined ? "quarantined: "
                                                                            : "failed: ",
                                     e.message);
    report();
  };
  auto on_dispatch = [&](const MeasureJob& request, const std::string& agent) {
    std::lock_guard<std::mutex> lock(mutex);
    absl::Status s = store_.PutDispatch(request.request.request_id(), agent);
    if (!s.ok() && write_error.ok()) write_error = s;
  };
  fleet_.Run(std::move(requests), on_result, on_event, on_dispatch);
  NAS_RETURN_IF_ERROR(write_error);
  if (cancelled || stop_) return absl::CancelledError("stopped");
  if (progress->failed > 0) {
    return absl::UnavailableError(absl::StrCat(
        progress->failed, " measurement(s) of generation ", generation,
        " found no agent (", failure, "); bring the agents back and run `star resume`"));
  }
  return absl::OkStatus();
}

double MeasurePhase::Seconds(const std::map<std::string, double>& left) const {
  const auto states = fleet_.Agents();
  double worst = 0;
  for (const auto& [c, jobs_left] : left) {
    if (jobs_left <= 0) continue;
    auto t = timing_.find(c);
    if (t == timing_.end() || t->second.jobs == 0) return -1;
    int live = 0;
    for (const AgentState& a : states) {
      live += a.address.device_class == c && !a.quarantined;
    }
    worst = std::max(worst, jobs_left * (t->second.seconds / t->second.jobs) / std::max(live, 1));
  }
  return worst;
}

double MeasurePhase::SecondsFor(int candidates) const {
  std::map<std::string, double> left;
  for (const auto& [c, share] : share_) left[c] = candidates * share;
  return Seconds(left);
}

}  // namespace nas::star
