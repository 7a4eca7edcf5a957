// The campaign store: one SQLite file per campaign (WAL, a single writer — the
// coordinator — and any number of readers such as `star status` or a report). It keeps
// the campaign's configuration, every candidate (genome, ArchSpec, canonical hash), every
// measurement with its provenance (agent, device class, protocol key, the whole
// MeasureResult), where each measurement request was sent, every evaluation (labelled
// proxy or not; a failed one with its reason), every generation's population
// with the RNG state, agent failures and quarantines, and reference drift. Each Put
// commits at once, so a kill at any moment loses nothing that was recorded. Measurements
// are found again by (candidate hash, device class, protocol key) so they are reused
// across generations and campaigns. A store of the previous schema (2, without evaluation
// failures) is upgraded in place when opened for writing, and read as it is otherwise.
// Not thread-safe: one thread per store object.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/device_agent.pb.h"
#include "results/sqlite_db.h"

namespace nas::results {

inline constexpr int kStoreSchemaVersion = 3;

struct CandidateRecord {
  std::string hash;             // canonical architecture hash
  std::vector<int32_t> genome;
  ArchSpec spec;
  uint64_t parameters = 0;
  int first_generation = 0;
  std::string rejected_reason;  // non-empty when a cheap constraint rejected it
};

struct MeasurementRecord {
  std::string candidate_hash;
  std::string device_class;
  std::string protocol_key;     // protocol version + the protocol's fingerprint
  std::string agent;
  agent::MeasureResult result;
  int generation = 0;
  bool is_reference = false;
};

struct EvaluationRecord {
  std::string candidate_hash;
  std::string evaluator;        // e.g. "proxy:capacity-recall" or "mad:1f3a9c0e"
  bool is_proxy = false;
  double quality = 0;           // meaningless when `failure` is set
  std::string metrics_json;     // e.g. the whole EvaluationResult as JSON
  // Why the evaluation gave no score (diverged, failed, rejected, timed out...); "" when
  // it did. A failed evaluation is a result: it is kept and not tried again.
  std::string failure;
};

struct GenerationRecord {
  int number = 0;
  std::vector<std::string> population;  // candidate hashes, in order
  std::string rng_state;
  double hypervolume = 0;
  // Each member's non-domination rank and crowding distance as the survivor selection
  // computed them (parallel to `population`; crowding may be +infinity). Stored because
  // they cannot be recomputed from the survivors alone, and the next generation's
  // tournaments need them to resume exactly.
  std::vector<int> ranks;
  std::vector<double> crowding;
};

struct AgentEventRecord {
  int64_t unix_ms = 0;
  std::string device_class, agent, kind, message;
};

struct DriftRecord {
  int generation = 0;
  std::string reference, device_class, metric;
  double value = 0, baseline = 0;
};

class CampaignStore {
 public:
  // Creates a new store (fails if the file exists) or opens an existing one.
  static absl::StatusOr<std::unique_ptr<CampaignStore>> Create(const std::string& path);
  static absl::StatusOr<std::unique_ptr<CampaignStore>> Open(const std::string& path,
                                                             bool read_only = false);

  absl::Status SetConfig(const std::string& key, const std::string& value);
  absl::StatusOr<std::optional<std::string>> Config(const std::string& key);

  // Keeps the first record of a hash (a candidate is immutable once stored).
  absl::Status PutCandidate(const CandidateRecord& candidate);
  absl::StatusOr<std::optional<CandidateRecord>> Candidate(const std::string& hash);
  absl::StatusOr<int64_t> CandidateCount();
  // Every candidate, in the order first stored.
  absl::StatusOr<std::vector<CandidateRecord>> Candidates();

  absl::Status PutMeasurement(const MeasurementRecord& measurement);
  // The latest measurement of a candidate on a device class under a protocol, reference
  // re-measurements (is_reference) aside.
  absl::StatusOr<std::optional<MeasurementRecord>> FindMeasurement(
      const std::string& candidate_hash, const std::string& device_class,
      const std::string& protocol_key);
  // The reference re-measurement (is_reference) of a candidate at a generation, if any.
  absl::StatusOr<std::optional<MeasurementRecord>> FindReferenceMeasurement(
      const std::string& candidate_hash, const std::string& device_class,
      const std::string& protocol_key, int generation);
  // Every measurement, in the order recorded.
  absl::StatusOr<std::vector<MeasurementRecord>> Measurements();
  absl::StatusOr<int64_t> MeasurementCount();

  absl::Status PutEvaluation(const EvaluationRecord& evaluation);
  absl::StatusOr<std::optional<EvaluationRecord>> FindEvaluation(const std::string& candidate_hash,
                                                                 const std::string& evaluator);

  absl::Status PutGeneration(const GenerationRecord& generation);
  absl::StatusOr<std::optional<GenerationRecord>> LastGeneration();
  // Every generation, in order of number.
  absl::StatusOr<std::vector<GenerationRecord>> Generations();
  // Every evaluation, in the order first recorded.
  absl::StatusOr<std::vector<EvaluationRecord>> Evaluations();

  // Where a measurement request was sent (request id -> agent address, the latest wins),
  // recorded before it is sent, so that after a crash the request goes back to the agent
  // that may already have measured it.
  absl::Status PutDispatch(const std::string& request_id, const std::string& agent);
  absl::StatusOr<std::map<std::string, std::string>> Dispatches();

  absl::Status PutAgentEvent(const AgentEventRecord& event);
  absl::StatusOr<std::vector<AgentEventRecord>> AgentEvents();

  // When the latest timestamped record (measurement, evaluation, generation, dispatch,
  // agent event) was written; 0 for a store without one.
  absl::StatusOr<int64_t> LastActivityUnixMs();

  absl::Status PutDrift(const DriftRecord& drift);
  absl::StatusOr<std::vector<DriftRecord>> Drift();

  // A consistent view: until the returned object is destroyed, every read of this store
  // sees the records committed when it began, none added since (sqlite_db.h). No Put
  // while it lives.
  absl::StatusOr<std::unique_ptr<Db::ReadTransaction>> BeginRead() {
    return Db::ReadTransaction::Begin(*db_);
  }

  const std::string& path() const { return db_->path(); }

 private:
  explicit CampaignStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  absl::Status CreateSchema();
  absl::Status CheckSchema(bool read_only);
  // The evaluations' failure column, or a constant for a schema-2 store read as it is.
  std::string FailureColumn() const { return has_failure_column_ ? "failure" : "''"; }
  absl::StatusOr<CandidateRecord> CandidateFromRow(const Statement& s);
  absl::StatusOr<MeasurementRecord> MeasurementFromRow(const Statement& s);
  absl::StatusOr<std::optional<MeasurementRecord>> OneMeasurement(Statement& s);
  absl::StatusOr<GenerationRecord> GenerationFromRow(const Statement& s);
  std::unique_ptr<Db> db_;
  bool has_failure_column_ = true;
};

}  // namespace nas::results
