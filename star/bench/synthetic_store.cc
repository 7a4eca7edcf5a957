#include "star/bench/synthetic_store.h"

#include <chrono>
#include <cmath>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "google/protobuf/text_format.h"
#include "liv/model/weight_layout.h"
#include "results/campaign_store.h"
#include "star/campaign_snapshot.h"
#include "star/canonical.h"
#include "star/genome.h"
#include "star/genome_encode.h"
#include "star/genome_layout.h"
#include "star/measure_requests.h"
#include "star/objectives.h"
#include "star/pareto.h"
#include "star/proxy_quality.h"
#include "star/quality_evaluator.h"
#include "star/search_space.h"
#include "star/search_space_validate.h"
#include "tests/star/simulated_measurement.h"

namespace nas::star::bench {
namespace {

constexpr char kAttention[] =
    "attention { num_heads: 4 num_kv_heads: 2 head_dim: 16 qk_norm: true rope_theta: 10000 } "
    "swiglu { hidden: 256 }";
constexpr char kConv[] = "short_conv { kernel_size: 3 gating: DOUBLE } swiglu { hidden: 256 }";

std::string SpaceText(const SyntheticStoreOptions& o) {
  const std::string shape =
      "vocab_size: 256 d_model: 64 norm_eps: 1e-5 tie_embeddings: true context_length: 1024";
  auto layers = [&](const std::vector<const char*>& kinds) {
    std::string out;
    for (const char* k : kinds) absl::StrAppend(&out, " layers { ", k, " }");
    return out;
  };
  std::string text = absl::StrCat(
      "name: \"synthetic\"\n"
      "description: \"synthetic store for report benchmarks: tiny genome, two device classes\"\n",
      shape,
      "\ndepth: 6 max_liv_classes: 3 kv_sharing_groups: 1 weight_sharing_groups: 2\n"
      "token_mixers {\n"
      "  attention { num_heads: [2, 4] num_kv_heads: [1, 2] head_dims: [16] qk_norm: [true]\n"
      "              rope_thetas: [10000] sliding_windows: [0, 32] }\n"
      "  short_conv { kernel_sizes: [3, 4] gatings: [DOUBLE, OUTPUT_ONLY] }\n"
      "  recurrence { num_heads: [2] head_dims: [16] }\n"
      "}\n"
      "channel_mixers { swiglu_hidden: [128, 256] gelu_hidden: [192] allow_none: true }\n"
      "budgets { max_parameters: 600000\n"
      "  devices { device_class: \"laptop\" max_peak_memory_bytes: 268435456 } }\n",
      o.quality_objective ? "objectives { kind: QUALITY }\n" : "",
      "objectives { kind: DECODE_MS_PER_TOKEN device_class: \"laptop\" decode_depth: 64 }\n"
      "objectives { kind: PEAK_MEMORY_BYTES device_class: \"phone\" }\n"
      "objectives { kind: PREFILL_TOKENS_PER_S device_class: \"phone\" prompt_length: 64 }\n"
      "devices { name: \"laptop\" agents: [\"10.0.0.1:50061\", \"10.0.0.2:50061\"] }\n"
      "devices { name: \"phone\" agents: [\"10.0.0.3:50063\", \"10.0.0.4:50063\"] }\n"
      "protocol { prompt_lengths: [64] decode_depths: [0, 64] decode_tokens: 16 threads: 1\n"
      "  min_repetitions: 6 max_repetitions: 12 max_seconds_per_point: 2 target_ci: 0.05 }\n"
      "weight_type: \"f32\"\n",
      o.quality_objective ? "evaluator { kind: PROXY seed: 1 }\n" : "",
      "evolution { population: ", std::max(4, o.candidates / std::max(1, o.generations_done)),
      " generations: ", o.generations_planned, " seed: ", o.seed, " }\n",
      "references { name: \"tiny-hybrid\" spec { ", shape,
      layers({kConv, kConv, kAttention, kConv, kConv, kAttention}), " } }\n",
      "references { name: \"tiny-transformer\" spec { ", shape,
      layers({kAttention, kAttention, kAttention, kAttention, kAttention, kAttention}), " } }\n");
  return text;
}

// The liv-measure JSON parts the report reads: CPU, build, ISA path and the context.
std::string MeasureJson(bool phone, uint32_t max_context) {
  return absl::StrCat("{\"schema\":\"liv-measure/1\",\"isa_path\":\"", phone ? "neon" : "avx2",
                      "\",\"cpu\":{\"model\":\"",
                      phone ? "Synthetic Cortex-A78 phone" : "Synthetic Ryzen laptop",
                      "\",\"logical_cpus\":", phone ? 8 : 16, ",\"physical_cores\":", phone ? 8 : 8,
                      "},\"build\":{\"version\":\"0.1.0\",\"compiler\":\"gcc-compatible 12.2.0\","
                      "\"build_type\":\"release\",\"architecture\":\"",
                      phone ? "aarch64" : "x86_64",
                      "\"},\"protocol\":{\"max_context\":", max_context, ",\"threads\":1}}");
}

// Scales a summary's centre by `factor` and gives it a spread of a few percent.
void Spread(agent::Summary* s, double factor, double noise) {
  const double median = s->median() * factor;
  s->set_median(median);
  s->set_p10(median * (1 - 0.02 - noise));
  s->set_p90(median * (1 + 0.03 + noise));
  s->set_min(median * (1 - 0.04 - noise));
  s->set_max(median * (1 + 0.08 + noise));
  s->set_mean(median * (1 + 0.005));
}

}  // namespace

absl::Status WriteSyntheticStore(const std::string& path, const SyntheticStoreOptions& o) {
  if (o.candidates < 1 || o.generations_done < 1 || o.generations_planned < o.generations_done) {
    return absl::InvalidArgumentError(
        "synthetic store: needs candidates >= 1 and 1 <= generations done <= planned");
  }
  const std::string text = SpaceText(o);
  NAS_ASSIGN_OR_RETURN(SearchSpace space, ParseSearchSpaceText(text, "synthetic space"));
  NAS_ASSIGN_OR_RETURN(GenomeLayout layout, GenomeLayout::Create(space));
  NAS_ASSIGN_OR_RETURN(auto store, results::CampaignStore::Create(path));
  const int64_t now = o.now_unix_ms != 0 ? o.now_unix_ms
                                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count();
  const int64_t start = now - 3'600'000;  // an hour-long campaign
  NAS_RETURN_IF_ERROR(store->SetConfig(kConfigSpace, text));
  NAS_RETURN_IF_ERROR(store->SetConfig(kConfigSpacePath, "/synthetic/space.textproto"));
  NAS_RETURN_IF_ERROR(store->SetConfig(kConfigCreated, absl::StrCat(start)));

  std::mt19937_64 rng(o.seed);
  auto uniform = [&](uint32_t n) {
    return static_cast<uint32_t>(std::uniform_int_distribution<uint32_t>(0, n - 1)(rng));
  };
  std::normal_distribution<double> noise(0.0, 0.04);

  // Candidates: the references, then random distinct architectures, spread evenly over
  // the generations.
  std::vector<results::CandidateRecord> records;
  std::set<std::string> seen;
  double reference_parameters = 0;
  for (const Reference& reference : space.references()) {
    NAS_ASSIGN_OR_RETURN(ArchSpec spec, ResolveReference(reference));
    NAS_ASSIGN_OR_RETURN(Genome genome, Encode(spec, layout));
    NAS_ASSIGN_OR_RETURN(ArchSpec decoded, Decode(layout, genome));
    results::CandidateRecord r;
    r.hash = CanonicalHash(decoded);
    r.genome.assign(genome.begin(), genome.end());
    r.spec = decoded;
    r.parameters = liv::CountParameters(decoded);
    r.first_generation = 1;
    reference_parameters = std::max(reference_parameters, static_cast<double>(r.parameters));
    NAS_RETURN_IF_ERROR(
        store->SetConfig(kConfigReferencePrefix + ReferenceLabel(reference), r.hash));
    if (seen.insert(r.hash).second) records.push_back(std::move(r));
  }
  const size_t references = records.size();
  for (int attempts = 0; static_cast<int>(records.size() - references) < o.candidates; ++attempts) {
    if (attempts > o.candidates * 100) {
      return absl::InternalError("synthetic store: the space has too few distinct candidates");
    }
    const Genome genome = RandomGenome(layout, uniform);
    NAS_ASSIGN_OR_RETURN(ArchSpec spec, Decode(layout, genome));
    results::CandidateRecord r;
    r.hash = CanonicalHash(spec);
    if (!seen.insert(r.hash).second) continue;
    const int index = static_cast<int>(records.size() - references);
    r.genome.assign(genome.begin(), genome.end());
    r.spec = spec;
    r.parameters = liv::CountParameters(spec);
    r.first_generation = 1 + index * o.generations_done / o.candidates;
    r.rejected_reason = CheckCheapConstraints(space, spec);
    records.push_back(std::move(r));
  }

  const std::string evaluator = QualityEvaluatorName(space);
  const agent::MeasureProtocol protocol = ProtocolWithDefaults(space.protocol());
  int measured = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const results::CandidateRecord& r = records[i];
    NAS_RETURN_IF_ERROR(store->PutCandidate(r));
    if (!r.rejected_reason.empty()) continue;
    for (const DeviceClass& device : space.devices()) {
      const bool phone = device.name() == "phone";
      results::MeasurementRecord m;
      m.candidate_hash = r.hash;
      m.device_class = device.name();
      m.protocol_key = ProtocolKey(space, device);
      m.agent = device.agents(static_cast<int>(i % 2));
      m.generation = r.first_generation;
      m.result = testing::SimulatedMeasureResult(r.spec, protocol, space.weight_type());
      const double slowdown = (phone ? 3.0 : 1.0) * std::exp(noise(rng));
      const double spread = std::fabs(noise(rng));
      for (agent::PrefillStats& p : *m.result.mutable_prefill()) {
        Spread(p.mutable_time_ms(), slowdown, spread);
        Spread(p.mutable_tokens_per_s(), 1.0 / slowdown, spread);
      }
      for (agent::DecodeStats& d : *m.result.mutable_decode()) {
        Spread(d.mutable_ms_per_token(), slowdown, spread);
        Spread(d.mutable_tokens_per_s(), 1.0 / slowdown, spread);
      }
      m.result.set_kernel_path(phone ? "neon" : "avx2");
      m.result.set_liv_measure_json(MeasureJson(phone, 80));
      const int64_t at = start + 3'000'000 * static_cast<int64_t>(i) / records.size();
      m.result.set_started_unix_ms(at);
      m.result.set_finished_unix_ms(at + 900);
      if (phone && measured == 7) {  // one measurement ran out of time
        m.result.clear_prefill();
        m.result.clear_decode();
        m.result.set_peak_memory_bytes(0);
        m.result.set_outcome(agent::MeasureResult::TIMEOUT);
        m.result.set_message("the deadline of 120 s passed; the child was killed");
      }
      NAS_RETURN_IF_ERROR(store->PutMeasurement(m));
    }
    ++measured;
    if (!evaluator.empty()) {
      results::EvaluationRecord e;
      e.candidate_hash = r.hash;
      e.evaluator = evaluator;
      e.is_proxy = true;
      e.quality = ProxyQuality(r.spec, reference_parameters);
      if (measured == 12) {
        e.quality = 0;
        e.failure = "diverged: the loss was NaN at step 40";
      }
      NAS_RETURN_IF_ERROR(store->PutEvaluation(e));
    }
  }
  NAS_RETURN_IF_ERROR(store->PutAgentEvent(
      {start + 1'200'000, "phone", "10.0.0.3:50063", "failed", "UNAVAILABLE: connection refused"}));
  NAS_RETURN_IF_ERROR(store->PutAgentEvent(
      {start + 1'260'000, "phone", "10.0.0.3:50063", "quarantined", "3 failures in a row"}));

  // Reference drift: the references re-measured every other generation, a little slower.
  for (int g = 3; g <= o.generations_done; g += 2) {
    for (const Reference& reference : space.references()) {
      for (const char* device : {"laptop", "phone"}) {
        const double base = device[0] == 'l' ? 0.08 : 0.24;
        const double value = base * (1.0 + 0.01 * g + 0.01 * std::fabs(noise(rng)));
        NAS_RETURN_IF_ERROR(store->PutDrift({g, ReferenceLabel(reference), device,
                                             "decode_ms_per_token@64", value, base}));
      }
    }
  }

  // Generations: each population is the latest `population` candidates created so far,
  // ranked as NSGA-II ranks them.
  const int population = static_cast<int>(space.evolution().population());
  for (int g = 1; g <= o.generations_done; ++g) {
    results::GenerationRecord record;
    record.number = g;
    std::vector<Evaluation> evaluations;
    for (int i = static_cast<int>(records.size()) - 1;
         i >= 0 && static_cast<int>(record.population.size()) < population; --i) {
      if (records[i].first_generation > g) continue;
      NAS_ASSIGN_OR_RETURN(CandidateFacts facts, LoadCandidateFacts(*store, space, records[i],
                                                                    /*reference=*/""));
      NAS_ASSIGN_OR_RETURN(Evaluation e, EvaluateCandidate(space, facts));
      record.population.push_back(records[i].hash);
      evaluations.push_back(std::move(e));
    }
    record.ranks.assign(evaluations.size(), 0);
    const auto fronts = NonDominatedSort(evaluations);
    for (size_t rank = 0; rank < fronts.size(); ++rank) {
      for (int i : fronts[rank]) record.ranks[i] = static_cast<int>(rank);
    }
    record.crowding.assign(evaluations.size(), 0.0);
    record.rng_state = absl::StrCat("synthetic-", o.seed, "-", g);
    record.hypervolume = 0.35 + 0.4 * (1.0 - std::exp(-0.6 * g));
    NAS_RETURN_IF_ERROR(store->PutGeneration(record));
  }
  return absl::OkStatus();
}

}  // namespace nas::star::bench
