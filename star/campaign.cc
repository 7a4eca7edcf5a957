#include "star/campaign.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "base/text_file.h"
#include "google/protobuf/text_format.h"
#include "liv/model/weight_layout.h"
#include "star/arch_variation.h"
#include "star/campaign_measure.h"
#include "star/campaign_snapshot.h"
#include "star/genome_encode.h"
#include "star/hypervolume.h"
#include "star/nsga2.h"
#include "star/quality_evaluator.h"
#include "star/search_space.h"

namespace nas::star {
namespace {

using Clock = std::chrono::steady_clock;

// The "device class" under which evaluator services' failures are stored with the agents'.
constexpr char kEvaluatorEventClass[] = "evaluator";

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Per-objective [lo, hi] for normalising the hypervolume, as "lo:hi,lo:hi,...".
std::string JoinBounds(const std::vector<std::pair<double, double>>& bounds) {
  std::vector<std::string> parts;
  for (const auto& [lo, hi] : bounds) {
    char buffer[80];
    std::snprintf(buffer, sizeof buffer, "%.17g:%.17g", lo, hi);
    parts.emplace_back(buffer);
  }
  return absl::StrJoin(parts, ",");
}

std::optional<std::vector<std::pair<double, double>>> SplitBounds(const std::string& text) {
  std::vector<std::pair<double, double>> bounds;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::vector<std::string> lo_hi = absl::StrSplit(part, ':');
    if (lo_hi.size() != 2) return std::nullopt;
    bounds.emplace_back(std::strtod(lo_hi[0].c_str(), nullptr),
                        std::strtod(lo_hi[1].c_str(), nullptr));
  }
  return bounds;
}

}  // namespace

// The state of one Run(): the NSGA-II population, the RNG, what has been seen.
class Campaign::Runner {
 public:
  Runner(Campaign& campaign, const CampaignRunOptions& options, ArchVariation variation,
         std::unique_ptr<QualityEvaluator> evaluator)
      : c_(campaign),
        space_(campaign.space_),
        options_(options),
        variation_(std::move(variation)),
        evaluator_(std::move(evaluator)),
        rng_(space_.evolution().seed()) {}

  absl::Status Restore();
  absl::Status RunGenerations(Fleet& fleet);

 private:
  using Ind = Individual<IntGenome>;

  absl::StatusOr<Offspring<IntGenome>> FirstBatch();
  absl::StatusOr<Offspring<IntGenome>> NextBatch();
  absl::Status Score(const std::vector<NewCandidate>& news, int later_candidates,
                     const MeasurePhase& measure, CampaignProgress* progress);
  // Seconds for `n` more quality evaluations at the pace seen so far (wall time per
  // evaluation, the evaluator's parallelism included), counting `running_seconds` and
  // `running_done` of a batch in progress; 0 for the proxy, -1 before any was timed.
  double EvaluationSeconds(double n, double running_seconds = 0, int running_done = 0) const {
    if (evaluator_ == nullptr || evaluator_->is_proxy() || n <= 0) return 0;
    const int done = evaluations_timed_ + running_done;
    if (done == 0) return -1;
    return n * (evaluation_seconds_ + running_seconds) / done;
  }
  absl::StatusOr<double> UpdateHypervolume();
  void Report(const CampaignProgress& progress) {
    if (options_.on_progress) options_.on_progress(progress);
  }

  Campaign& c_;
  const SearchSpace& space_;
  const CampaignRunOptions& options_;
  ArchVariation variation_;
  std::unique_ptr<QualityEvaluator> evaluator_;
  Rng rng_;
  int done_ = 0;  // completed generations
  std::vector<Ind> population_;
  KeySet seen_;
  std::vector<Evaluation> evaluated_;  // every candidate of the completed generations
  std::optional<std::vector<std::pair<double, double>>> bounds_;
  std::map<std::string, std::string> reference_hash_;  // name -> hash
  Clock::time_point started_ = Clock::now();
  // Wall time of the trained evaluations of this Run, and how many it produced.
  double evaluation_seconds_ = 0;
  int evaluations_timed_ = 0;
};

absl::Status Campaign::Runner::Restore() {
  NAS_ASSIGN_OR_RETURN(CampaignSnapshot snapshot, LoadSnapshot(*c_.store_));
  done_ = snapshot.generations_done;
  std::map<std::string, const StoredCandidate*> by_hash;
  for (const StoredCandidate& s : snapshot.candidates) {
    seen_.insert(s.record.hash);
    evaluated_.push_back(s.evaluation);
    by_hash[s.record.hash] = &s;
  }
  if (snapshot.last_generation) {
    const results::GenerationRecord& g = *snapshot.last_generation;
    NAS_ASSIGN_OR_RETURN(rng_, Rng::Restore(g.rng_state));
    if (g.ranks.size() != g.population.size() || g.crowding.size() != g.population.size()) {
      return absl::DataLossError(absl::StrCat(c_.store_->path(), ": generation ", g.number,
                                              ": standings do not match the population"));
    }
    for (size_t i = 0; i < g.population.size(); ++i) {
      auto it = by_hash.find(g.population[i]);
      if (it == by_hash.end()) {
        return absl::DataLossError(absl::StrCat(c_.store_->path(), ": generation ", g.number,
                                                ": unknown candidate ", g.population[i]));
      }
      population_.push_back({it->second->record.genome, g.population[i],
                             it->second->evaluation, {g.ranks[i], g.crowding[i]}});
    }
  }
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> bounds,
                       c_.store_->Config(kConfigHypervolumeBounds));
  if (bounds) bounds_ = SplitBounds(*bounds);
  return absl::OkStatus();
}

absl::StatusOr<Offspring<IntGenome>> Campaign::Runner::FirstBatch() {
  const int population = static_cast<int>(space_.evolution().population());
  Offspring<IntGenome> batch;
  KeySet taken = seen_;
  std::map<std::string, const Reference*> reference_of_key;
  for (const Reference& reference : space_.references()) {
    if (static_cast<int>(batch.genomes.size()) >= population) break;
    NAS_ASSIGN_OR_RETURN(ArchSpec spec, ResolveReference(reference));
    NAS_ASSIGN_OR_RETURN(Genome genome, Encode(spec, variation_.layout()));
    IntGenome g = ToIntGenome(genome);
    variation_.Repair(&g);
    const std::string key = variation_.Key(g);
    reference_hash_[ReferenceLabel(reference)] = key;
    NAS_RETURN_IF_ERROR(
        c_.store_->SetConfig(kConfigReferencePrefix + ReferenceLabel(reference), key));
    if (auto [it, fresh] = reference_of_key.emplace(key, &reference);
        !fresh && (reference.has_gguf() || it->second->has_gguf())) {
      // One candidate per architecture: it cannot be both a checkpoint and another model.
      return absl::InvalidArgumentError(absl::StrCat(
          "references ", ReferenceLabel(*it->second), " and ", ReferenceLabel(reference),
          " have the same architecture; a checkpoint (gguf) reference must be the only "
          "reference of its architecture"));
    }
    if (!taken.insert(key).second) continue;  // two references of one architecture
    batch.genomes.push_back(std::move(g));
    batch.keys.push_back(key);
  }
  const VariationOptions vopt{CrossoverRate(space_.evolution())};
  NAS_ASSIGN_OR_RETURN(
      Offspring<IntGenome> random,
      InitialPopulation<IntGenome>(variation_, population - static_cast<int>(batch.genomes.size()),
                                   taken, vopt, rng_));
  for (size_t i = 0; i < random.genomes.size(); ++i) {
    batch.genomes.push_back(std::move(random.genomes[i]));
    batch.keys.push_back(std::move(random.keys[i]));
  }
  return batch;
}

absl::StatusOr<Offspring<IntGenome>> Campaign::Runner::NextBatch() {
  std::vector<IntGenome> parents;
  std::vector<Standing> standings;
  for (const Ind& ind : population_) {
    parents.push_back(ind.genome);
    standings.push_back(ind.standing);
  }
  const VariationOptions vopt{CrossoverRate(space_.evolution())};
  return MakeOffspring<IntGenome>(variation_, parents, standings,
                                  static_cast<int>(space_.evolution().population()), seen_, vopt,
                                  rng_);
}

// Scores the admitted candidates that have no evaluation by this evaluator yet (a failed
// one counts: it is a result), as many at once as the evaluator takes, storing each as it
// arrives. Evaluations that did not happen (stop, no service left) are not stored.
absl::Status Campaign::Runner::Score(const std::vector<NewCandidate>& news,
                                     int later_candidates, const MeasurePhase& measure,
                                     CampaignProgress* progress) {
  if (evaluator_ == nullptr) return absl::OkStatus();
  std::vector<QualityJob> jobs;
  for (const NewCandidate& n : news) {
    if (!n.rejected_reason.empty()) continue;
    NAS_ASSIGN_OR_RETURN(auto stored, c_.store_->FindEvaluation(n.hash, evaluator_->name()));
    if (stored) continue;
    jobs.push_back({n.hash, n.spec, n.reference.empty() ? n.hash.substr(0, 8) : n.reference});
  }
  if (jobs.empty()) return absl::OkStatus();
  const bool trained = !evaluator_->is_proxy();
  std::mutex mutex;  // callbacks may come from the evaluator's threads
  absl::Status write_error, not_done;
  auto keep = [](absl::Status& first, const absl::Status& s) {
    if (!s.ok() && (first.ok() || first.code() == absl::StatusCode::kCancelled)) first = s;
  };
  const Clock::time_point batch_started = Clock::now();
  int batch_done = 0;  // evaluations that came back with a score or a failure
  auto batch_seconds = [&] {
    return std::chrono::duration<double>(Clock::now() - batch_started).count();
  };
  // The ETA: this generation's evaluations left and the later generations' measurements
  // and evaluations.
  const double later_measuring = measure.SecondsFor(later_candidates);
  auto report = [&](std::string message) {
    if (!trained) return;  // the proxy is instant: nothing to watch
    progress->message = std::move(message);
    progress->elapsed_seconds =
        std::chrono::duration<double>(Clock::now() - started_).count();
    const double evaluating =
        EvaluationSeconds(static_cast<double>(jobs.size() - batch_done + later_candidates),
                          batch_seconds(), batch_done);
    progress->eta_seconds =
        evaluating < 0 || later_measuring < 0 ? -1 : evaluating + later_measuring;
    Report(*progress);
  };
  if (trained) {
    progress->evaluations_total = static_cast<int>(jobs.size());
    report(absl::StrCat("evaluating ", jobs.size(), " candidate(s) with ", evaluator_->name(),
                        ", ", evaluator_->parallelism(), " at a time"));
  }
  QualityContext context;
  context.stop = &c_.stop_;
  context.on_progress = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex);
    report(line);
  };
  context.on_event = [&](const WorkerEvent& e) {
    std::lock_guard<std::mutex> lock(mutex);
    keep(write_error, c_.store_->PutAgentEvent({0, kEvaluatorEventClass, e.worker,
                                               WorkerEventKindName(e.kind), e.message}));
    report(absl::StrCat("evaluator service ", e.worker,
                        e.kind == WorkerEventKind::kQuarantined ? " quarantined: " : " failed: ",
                        e.message));
  };
  evaluator_->EvaluateBatch(
      jobs, context, [&](size_t i, const absl::StatusOr<QualityScore>& score) {
        std::lock_guard<std::mutex> lock(mutex);
        const QualityJob& job = jobs[i];
        if (!score.ok()) {
          keep(not_done, score.status());
          return;
        }
        keep(write_error,
             c_.store_->PutEvaluation({job.hash, evaluator_->name(), evaluator_->is_proxy(),
                                       score->quality, score->metrics_json, score->failure}));
        ++progress->evaluations_done;
        ++batch_done;
        if (!score->failure.empty()) ++progress->evaluations_failed;
        report(score->failure.empty()
                   ? absl::StrCat("evaluated ", job.label, ": quality ", score->quality)
                   : absl::StrCat("evaluation of ", job.label, " failed: ", score->failure));
      });
  if (trained && batch_done > 0) {
    evaluation_seconds_ += batch_seconds();
    evaluations_timed_ += batch_done;
  }
  NAS_RETURN_IF_ERROR(write_error);
  if (c_.stop_) return absl::CancelledError("stopped");
  if (not_done.code() == absl::StatusCode::kUnavailable) {
    return absl::UnavailableError(absl::StrCat(
        "quality evaluations of this generation could not run: ", not_done.message(),
        "; bring the evaluator services back and run `star resume`"));
  }
  return not_done;
}

// Hypervolume of every feasible candidate so far, objectives normalised by the range the
// first feasible generation spanned (fixed once recorded, so generations compare), with
// the reference point at 1.1 in every dimension.
absl::StatusOr<double> Campaign::Runner::UpdateHypervolume() {
  std::vector<const Evaluation*> feasible;
  for (const Evaluation& e : evaluated_) {
    if (e.feasible()) feasible.push_back(&e);
  }
  if (feasible.empty()) return 0.0;
  const size_t m = feasible.front()->objectives.size();
  if (!bounds_) {
    std::vector<std::pair<double, double>> bounds(m, {1e300, -1e300});
    for (const Evaluation* e : feasible) {
      for (size_t k = 0; k < m; ++k) {
        bounds[k].first = std::min(bounds[k].first, e->objectives[k]);
        bounds[k].second = std::max(bounds[k].second, e->objectives[k]);
      }
    }
    bounds_ = bounds;
    NAS_RETURN_IF_ERROR(c_.store_->SetConfig(kConfigHypervolumeBounds, JoinBounds(bounds)));
  }
  std::vector<std::vector<double>> points;
  for (const Evaluation* e : feasible) {
    std::vector<double> p(m);
    for (size_t k = 0; k < m; ++k) {
      const auto [lo, hi] = (*bounds_)[k];
      const double range = hi > lo ? hi - lo : std::max(std::abs(lo), 1.0);
      p[k] = std::min((e->objectives[k] - lo) / range, 2.0);
    }
    points.push_back(std::move(p));
  }
  const std::vector<double> reference(m, 1.1);
  return Hypervolume(points, reference);
}

absl::Status Campaign::Runner::RunGenerations(Fleet& fleet) {
  const int generations = static_cast<int>(space_.evolution().generations());
  const int population = static_cast<int>(space_.evolution().population());
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> exhausted,
                       c_.store_->Config(kConfigExhausted));
  if (exhausted) return absl::OkStatus();
  MeasurePhase measure(*c_.store_, space_, fleet, options_, c_.stop_);
  for (int g = done_ + 1; g <= generations; ++g) {
    if (c_.stop_) return absl::CancelledError("stopped");
    absl::StatusOr<Offspring<IntGenome>> batch = g == 1 ? FirstBatch() : NextBatch();
    if (!batch.ok()) return batch.status();
    if (batch->genomes.empty()) {
      return c_.store_->SetConfig(kConfigExhausted, absl::StrCat(g));
    }
    if (g > 1 && reference_hash_.empty()) {
      for (const Reference& reference : space_.references()) {
        NAS_ASSIGN_OR_RETURN(auto hash, c_.store_->Config(kConfigReferencePrefix +
                                                          ReferenceLabel(reference)));
        if (hash) reference_hash_[ReferenceLabel(reference)] = *hash;
      }
    }
    std::vector<NewCandidate> news;
    for (size_t i = 0; i < batch->genomes.size(); ++i) {
      NewCandidate n;
      n.genome = batch->genomes[i];
      n.hash = batch->keys[i];
      NAS_ASSIGN_OR_RETURN(n.spec, variation_.Decode(n.genome));
      for (const auto& [name, hash] : reference_hash_) {
        if (hash == n.hash) n.reference = name;
      }
      n.rejected_reason = CheckCheapConstraints(space_, n.spec);
      NAS_RETURN_IF_ERROR(c_.store_->PutCandidate(
          {n.hash, n.genome, n.spec, liv::CountParameters(n.spec), g, n.rejected_reason}));
      news.push_back(std::move(n));
    }
    CampaignProgress progress;
    progress.generation = g;
    progress.generations = generations;
    progress.new_candidates = static_cast<int>(news.size());
    const int later_candidates = (generations - g) * population;
    int to_evaluate = 0;
    for (const NewCandidate& n : news) to_evaluate += n.rejected_reason.empty();
    NAS_RETURN_IF_ERROR(measure.Run(g, news, reference_hash_, started_, later_candidates,
                                    EvaluationSeconds(to_evaluate + later_candidates),
                                    &progress));
    NAS_RETURN_IF_ERROR(Score(news, later_candidates, measure, &progress));

    std::vector<Ind> pool = std::move(population_);
    for (const NewCandidate& n : news) {
      const results::CandidateRecord record{n.hash, n.genome, n.spec, 0, g, n.rejected_reason};
      NAS_ASSIGN_OR_RETURN(CandidateFacts facts,
                           LoadCandidateFacts(*c_.store_, space_, record, n.reference));
      NAS_ASSIGN_OR_RETURN(Evaluation e, EvaluateCandidate(space_, facts));
      pool.push_back({n.genome, n.hash, e, {}});
    }
    std::vector<Evaluation> evaluations;
    for (const Ind& ind : pool) evaluations.push_back(ind.evaluation);
    NAS_RETURN_IF_ERROR(ValidateEvaluations(evaluations));
    NAS_ASSIGN_OR_RETURN(population_,
                         nsga2_internal::Survive(std::move(pool), evaluations, population));
    for (const NewCandidate& n : news) seen_.insert(n.hash);
    for (size_t i = evaluations.size() - news.size(); i < evaluations.size(); ++i) {
      evaluated_.push_back(evaluations[i]);
    }
    NAS_ASSIGN_OR_RETURN(double hypervolume, UpdateHypervolume());
    results::GenerationRecord record;
    record.number = g;
    record.rng_state = rng_.SaveState();
    record.hypervolume = hypervolume;
    for (const Ind& ind : population_) {
      record.population.push_back(ind.key);
      record.ranks.push_back(ind.standing.rank);
      record.crowding.push_back(ind.standing.crowding);
    }
    NAS_RETURN_IF_ERROR(c_.store_->PutGeneration(record));
    done_ = g;
    progress.message = absl::StrCat("generation ", g, " done: hypervolume ", hypervolume);
    Report(progress);
  }
  return absl::OkStatus();
}

Campaign::Campaign(std::unique_ptr<results::CampaignStore> store, SearchSpace space,
                   std::string space_path)
    : store_(std::move(store)), space_(std::move(space)), space_path_(std::move(space_path)) {}

Campaign::~Campaign() = default;

absl::StatusOr<std::unique_ptr<Campaign>> Campaign::Create(const std::string& db_path,
                                                           const std::string& space_path,
                                                           const QualityEvaluatorDeps& quality) {
  NAS_ASSIGN_OR_RETURN(SearchSpace space, LoadSearchSpace(space_path));
  // Refuse an evaluator this build cannot provide before creating anything.
  NAS_RETURN_IF_ERROR(MakeQualityEvaluator(space, quality, space_path).status());
  if (std::filesystem::exists(db_path)) {
    return absl::AlreadyExistsError(
        absl::StrCat(db_path, ": already exists; continue it with `star resume --db ", db_path,
                     "` or choose another file"));
  }
  NAS_ASSIGN_OR_RETURN(auto store, results::CampaignStore::Create(db_path));
  std::string text;
  google::protobuf::TextFormat::PrintToString(space, &text);
  const std::string absolute = std::filesystem::absolute(space_path).lexically_normal().string();
  NAS_RETURN_IF_ERROR(store->SetConfig(kConfigSpace, text));
  NAS_RETURN_IF_ERROR(store->SetConfig(kConfigSpacePath, absolute));
  NAS_RETURN_IF_ERROR(store->SetConfig(kConfigCreated, absl::StrCat(NowUnixMs())));
  return std::unique_ptr<Campaign>(new Campaign(std::move(store), std::move(space), absolute));
}

absl::StatusOr<std::unique_ptr<Campaign>> Campaign::Open(const std::string& db_path) {
  NAS_ASSIGN_OR_RETURN(auto store, results::CampaignStore::Open(db_path));
  NAS_ASSIGN_OR_RETURN(SearchSpace space, LoadCampaignSpace(*store));
  NAS_ASSIGN_OR_RETURN(std::optional<std::string> path, store->Config(kConfigSpacePath));
  return std::unique_ptr<Campaign>(
      new Campaign(std::move(store), std::move(space), path.value_or("")));
}

absl::Status Campaign::Run(const CampaignRunOptions& options) {
  NAS_ASSIGN_OR_RETURN(GenomeLayout layout, GenomeLayout::Create(space_));
  NAS_ASSIGN_OR_RETURN(ArchVariation variation,
                       ArchVariation::Create(std::move(layout), MutationRate(space_.evolution())));
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<QualityEvaluator> evaluator,
                       MakeQualityEvaluator(space_, options.quality, space_path_));
  NAS_ASSIGN_OR_RETURN(std::vector<AgentAddress> agents, FleetAgents(space_, space_path_));
  Runner runner(*this, options, std::move(variation), std::move(evaluator));
  NAS_RETURN_IF_ERROR(runner.Restore());
  Fleet fleet(std::move(agents), options.fleet);
  {
    std::lock_guard<std::mutex> lock(fleet_mutex_);
    fleet_ = &fleet;
    if (stop_) fleet.Stop();
  }
  absl::Status status = runner.RunGenerations(fleet);
  {
    std::lock_guard<std::mutex> lock(fleet_mutex_);
    fleet_ = nullptr;
  }
  return status;
}

void Campaign::Stop() {
  stop_ = true;
  std::lock_guard<std::mutex> lock(fleet_mutex_);
  if (fleet_ != nullptr) fleet_->Stop();
}

}  // namespace nas::star
