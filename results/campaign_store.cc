#include "results/campaign_store.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"

namespace nas::results {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL) STRICT;
CREATE TABLE candidates (
  hash TEXT PRIMARY KEY,
  genome TEXT NOT NULL,
  spec BLOB NOT NULL,
  parameters INTEGER NOT NULL,
  first_generation INTEGER NOT NULL,
  rejected_reason TEXT NOT NULL) STRICT;
CREATE TABLE measurements (
  id INTEGER PRIMARY KEY,
  candidate_hash TEXT NOT NULL,
  device_class TEXT NOT NULL,
  protocol_key TEXT NOT NULL,
  agent TEXT NOT NULL,
  outcome TEXT NOT NULL,
  result BLOB NOT NULL,
  generation INTEGER NOT NULL,
  is_reference INTEGER NOT NULL,
  recorded_unix_ms INTEGER NOT NULL) STRICT;
CREATE INDEX measurements_by_key ON measurements (candidate_hash, device_class, protocol_key);
CREATE TABLE evaluations (
  candidate_hash TEXT NOT NULL,
  evaluator TEXT NOT NULL,
  is_proxy INTEGER NOT NULL,
  quality REAL NOT NULL,
  metrics TEXT NOT NULL,
  recorded_unix_ms INTEGER NOT NULL,
  failure TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (candidate_hash, evaluator)) STRICT;
CREATE TABLE generations (
  number INTEGER PRIMARY KEY,
  population TEXT NOT NULL,
  rng_state TEXT NOT NULL,
  hypervolume REAL NOT NULL,
  standings TEXT NOT NULL,
  recorded_unix_ms INTEGER NOT NULL) STRICT;
CREATE TABLE dispatches (
  request_id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  unix_ms INTEGER NOT NULL) STRICT;
CREATE TABLE agent_events (
  id INTEGER PRIMARY KEY,
  unix_ms INTEGER NOT NULL,
  device_class TEXT NOT NULL,
  agent TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL) STRICT;
CREATE TABLE drift (
  id INTEGER PRIMARY KEY,
  generation INTEGER NOT NULL,
  reference TEXT NOT NULL,
  device_class TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  baseline REAL NOT NULL) STRICT;
)sql";

// Schema 2 -> 3: evaluations record why they failed.
constexpr int kSchemaWithoutFailures = 2;
constexpr char kAddFailureColumn[] =
    "ALTER TABLE evaluations ADD COLUMN failure TEXT NOT NULL DEFAULT ''";

constexpr char kSelectMeasurement[] =
    "SELECT candidate_hash, device_class, protocol_key, agent, result, generation, "
    "is_reference FROM measurements";
constexpr char kSelectCandidate[] =
    "SELECT hash, genome, spec, parameters, first_generation, rejected_reason FROM candidates";
constexpr char kSelectGeneration[] =
    "SELECT number, population, rng_state, hypervolume, standings FROM generations";

// "rank:crowding" per member, comma-separated; crowding with 17 significant digits (exact
// round trip; "inf" for the boundary members).
std::string JoinStandings(const std::vector<int>& ranks, const std::vector<double>& crowding) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < ranks.size() && i < crowding.size(); ++i) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%d:%.17g", ranks[i], crowding[i]);
    parts.emplace_back(buffer);
  }
  return absl::StrJoin(parts, ",");
}

bool SplitStandings(const std::string& text, std::vector<int>* ranks,
                    std::vector<double>* crowding) {
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    const size_t colon = part.find(':');
    if (colon == absl::string_view::npos) return false;
    int rank = 0;
    if (!absl::SimpleAtoi(part.substr(0, colon), &rank)) return false;
    const std::string value(part.substr(colon + 1));
    char* end = nullptr;
    const double distance = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0') return false;
    ranks->push_back(rank);
    crowding->push_back(distance);
  }
  return true;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string JoinGenome(const std::vector<int32_t>& genome) { return absl::StrJoin(genome, ","); }

std::vector<int32_t> SplitGenome(const std::string& text) {
  std::vector<int32_t> genome;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int32_t v = 0;
    if (absl::SimpleAtoi(part, &v)) genome.push_back(v);
  }
  return genome;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CampaignStore>> CampaignStore::Create(const std::string& path) {
  if (std::filesystem::exists(path)) {
    return absl::AlreadyExistsError(
        absl::StrCat(path, ": already exists (resume it, or choose another --db)"));
  }
  NAS_ASSIGN_OR_RETURN(auto db, Db::Open(path, /*create=*/true));
  std::unique_ptr<CampaignStore> store(new CampaignStore(std::move(db)));
  NAS_RETURN_IF_ERROR(store->CreateSchema());
  return store;
}

absl::StatusOr<std::unique_ptr<CampaignStore>> CampaignStore::Open(const std::string& path,
                                                                   bool read_only) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such campaign database"));
  }
  NAS_ASSIGN_OR_RETURN(auto db, Db::Open(path, /*create=*/false, read_only));
  std::unique_ptr<CampaignStore> store(new CampaignStore(std::move(db)));
  NAS_RETURN_IF_ERROR(store->CheckSchema(read_only));
  return store;
}

absl::Status CampaignStore::CreateSchema() {
  Db::Transaction t(*db_);
  NAS_RETURN_IF_ERROR(db_->Exec(kSchema));
  NAS_RETURN_IF_ERROR(db_->Exec(absl::StrCat("PRAGMA user_version = ", kStoreSchemaVersion)));
  return t.Commit();
}

absl::Status CampaignStore::CheckSchema(bool read_only) {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare("PRAGMA user_version"));
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  const int64_t version = row ? s.Int(0) : 0;
  if (version == kSchemaWithoutFailures) {
    if (read_only) {
      has_failure_column_ = false;
      return absl::OkStatus();
    }
    Db::Transaction t(*db_);
    NAS_RETURN_IF_ERROR(db_->Exec(kAddFailureColumn));
    NAS_RETURN_IF_ERROR(db_->Exec(absl::StrCat("PRAGMA user_version = ", kStoreSchemaVersion)));
    return t.Commit();
  }
  if (version != kStoreSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path(), ": not a campaign database of this version (schema ", version,
                     ", expected ", kStoreSchemaVersion, ")"));
  }
  return absl::OkStatus();
}

absl::Status CampaignStore::SetConfig(const std::string& key, const std::string& value) {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare("INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)"));
  return s.Bind(1, key).Bind(2, value).Run();
}

absl::StatusOr<std::optional<std::string>> CampaignStore::Config(const std::string& key) {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT value FROM config WHERE key = ?"));
  s.Bind(1, key);
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

absl::Status CampaignStore::PutCandidate(const CandidateRecord& c) {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare("INSERT OR IGNORE INTO candidates (hash, genome, spec, parameters, "
                   "first_generation, rejected_reason) VALUES (?, ?, ?, ?, ?, ?)"));
  return s.Bind(1, c.hash)
      .Bind(2, JoinGenome(c.genome))
      .BindBlob(3, c.spec.SerializeAsString())
      .Bind(4, static_cast<int64_t>(c.parameters))
      .Bind(5, static_cast<int64_t>(c.first_generation))
      .Bind(6, c.rejected_reason)
      .Run();
}

absl::StatusOr<std::optional<CandidateRecord>> CampaignStore::Candidate(const std::string& hash) {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare(absl::StrCat(kSelectCandidate, " WHERE hash = ?")));
  s.Bind(1, hash);
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<CandidateRecord>();
  NAS_ASSIGN_OR_RETURN(CandidateRecord c, CandidateFromRow(s));
  return std::optional<CandidateRecord>(std::move(c));
}

absl::StatusOr<std::vector<CandidateRecord>> CampaignStore::Candidates() {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare(absl::StrCat(kSelectCandidate, " ORDER BY rowid")));
  std::vector<CandidateRecord> all;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    NAS_ASSIGN_OR_RETURN(CandidateRecord c, CandidateFromRow(s));
    all.push_back(std::move(c));
  }
  return all;
}

absl::StatusOr<CandidateRecord> CampaignStore::CandidateFromRow(const Statement& s) {
  CandidateRecord c;
  c.hash = s.Text(0);
  c.genome = SplitGenome(s.Text(1));
  if (!c.spec.ParseFromString(s.Blob(2))) {
    return absl::DataLossError(absl::StrCat(path(), ": candidate ", c.hash, ": corrupt spec"));
  }
  c.parameters = static_cast<uint64_t>(s.Int(3));
  c.first_generation = static_cast<int>(s.Int(4));
  c.rejected_reason = s.Text(5);
  return c;
}

absl::StatusOr<int64_t> CampaignStore::CandidateCount() {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT COUNT(*) FROM candidates"));
  NAS_RETURN_IF_ERROR(s.Step().status());
  return s.Int(0);
}

absl::Status CampaignStore::PutMeasurement(const MeasurementRecord& m) {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare("INSERT INTO measurements (candidate_hash, device_class, protocol_key, agent, "
                   "outcome, result, generation, is_reference, recorded_unix_ms) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return s.Bind(1, m.candidate_hash)
      .Bind(2, m.device_class)
      .Bind(3, m.protocol_key)
      .Bind(4, m.agent)
      .Bind(5, agent::MeasureResult::Outcome_Name(m.result.outcome()))
      .BindBlob(6, m.result.SerializeAsString())
      .Bind(7, static_cast<int64_t>(m.generation))
      .Bind(8, static_cast<int64_t>(m.is_reference))
      .Bind(9, NowUnixMs())
      .Run();
}

absl::StatusOr<std::optional<MeasurementRecord>> CampaignStore::FindMeasurement(
    const std::string& candidate_hash, const std::string& device_class,
    const std::string& protocol_key) {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare(absl::StrCat(kSelectMeasurement,
                                " WHERE candidate_hash = ? AND device_class = ? AND "
                                "protocol_key = ? AND is_reference = 0 ORDER BY id DESC LIMIT 1")));
  s.Bind(1, candidate_hash).Bind(2, device_class).Bind(3, protocol_key);
  return OneMeasurement(s);
}

absl::StatusOr<std::optional<MeasurementRecord>> CampaignStore::FindReferenceMeasurement(
    const std::string& candidate_hash, const std::string& device_class,
    const std::string& protocol_key, int generation) {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare(absl::StrCat(kSelectMeasurement,
                                " WHERE candidate_hash = ? AND device_class = ? AND "
                                "protocol_key = ? AND is_reference = 1 AND generation = ? "
                                "ORDER BY id DESC LIMIT 1")));
  s.Bind(1, candidate_hash).Bind(2, device_class).Bind(3, protocol_key)
      .Bind(4, static_cast<int64_t>(generation));
  return OneMeasurement(s);
}

absl::StatusOr<std::vector<MeasurementRecord>> CampaignStore::Measurements() {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare(absl::StrCat(kSelectMeasurement, " ORDER BY id")));
  std::vector<MeasurementRecord> all;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    NAS_ASSIGN_OR_RETURN(MeasurementRecord m, MeasurementFromRow(s));
    all.push_back(std::move(m));
  }
  return all;
}

absl::StatusOr<std::optional<MeasurementRecord>> CampaignStore::OneMeasurement(Statement& s) {
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<MeasurementRecord>();
  NAS_ASSIGN_OR_RETURN(MeasurementRecord m, MeasurementFromRow(s));
  return std::optional<MeasurementRecord>(std::move(m));
}

absl::StatusOr<MeasurementRecord> CampaignStore::MeasurementFromRow(const Statement& s) {
  MeasurementRecord m;
  m.candidate_hash = s.Text(0);
  m.device_class = s.Text(1);
  m.protocol_key = s.Text(2);
  m.agent = s.Text(3);
  if (!m.result.ParseFromString(s.Blob(4))) {
    return absl::DataLossError(
        absl::StrCat(path(), ": measurement of ", m.candidate_hash, ": corrupt"));
  }
  m.generation = static_cast<int>(s.Int(5));
  m.is_reference = s.Int(6) != 0;
  return m;
}

absl::StatusOr<int64_t> CampaignStore::MeasurementCount() {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT COUNT(*) FROM measurements"));
  NAS_RETURN_IF_ERROR(s.Step().status());
  return s.Int(0);
}

absl::Status CampaignStore::PutEvaluation(const EvaluationRecord& e) {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare("INSERT OR REPLACE INTO evaluations (candidate_hash, evaluator, is_proxy, "
                   "quality, metrics, recorded_unix_ms, failure) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return s.Bind(1, e.candidate_hash)
      .Bind(2, e.evaluator)
      .Bind(3, static_cast<int64_t>(e.is_proxy))
      .Bind(4, e.quality)
      .Bind(5, e.metrics_json)
      .Bind(6, NowUnixMs())
      .Bind(7, e.failure)
      .Run();
}

absl::StatusOr<std::optional<EvaluationRecord>> CampaignStore::FindEvaluation(
    const std::string& candidate_hash, const std::string& evaluator) {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare(absl::StrCat("SELECT is_proxy, quality, metrics, ",
                                                 FailureColumn(), " FROM evaluations "
                                                 "WHERE candidate_hash = ? AND evaluator = ?")));
  s.Bind(1, candidate_hash).Bind(2, evaluator);
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<EvaluationRecord>();
  return std::optional<EvaluationRecord>(EvaluationRecord{
      candidate_hash, evaluator, s.Int(0) != 0, s.Double(1), s.Text(2), s.Text(3)});
}

absl::Status CampaignStore::PutGeneration(const GenerationRecord& g) {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare("INSERT INTO generations (number, population, rng_state, hypervolume, "
                   "standings, recorded_unix_ms) VALUES (?, ?, ?, ?, ?, ?)"));
  return s.Bind(1, static_cast<int64_t>(g.number))
      .Bind(2, absl::StrJoin(g.population, ","))
      .Bind(3, g.rng_state)
      .Bind(4, g.hypervolume)
      .Bind(5, JoinStandings(g.ranks, g.crowding))
      .Bind(6, NowUnixMs())
      .Run();
}

absl::StatusOr<std::optional<GenerationRecord>> CampaignStore::LastGeneration() {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare(absl::StrCat(
                                        kSelectGeneration, " ORDER BY number DESC LIMIT 1")));
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<GenerationRecord>();
  NAS_ASSIGN_OR_RETURN(GenerationRecord g, GenerationFromRow(s));
  return std::optional<GenerationRecord>(std::move(g));
}

absl::StatusOr<std::vector<GenerationRecord>> CampaignStore::Generations() {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare(absl::StrCat(kSelectGeneration, " ORDER BY number")));
  std::vector<GenerationRecord> all;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    NAS_ASSIGN_OR_RETURN(GenerationRecord g, GenerationFromRow(s));
    all.push_back(std::move(g));
  }
  return all;
}

absl::StatusOr<GenerationRecord> CampaignStore::GenerationFromRow(const Statement& s) {
  GenerationRecord g;
  g.number = static_cast<int>(s.Int(0));
  g.population = absl::StrSplit(s.Text(1), ',', absl::SkipEmpty());
  g.rng_state = s.Text(2);
  g.hypervolume = s.Double(3);
  if (!SplitStandings(s.Text(4), &g.ranks, &g.crowding)) {
    return absl::DataLossError(
        absl::StrCat(path(), ": generation ", g.number, ": corrupt standings"));
  }
  return g;
}

absl::StatusOr<std::vector<EvaluationRecord>> CampaignStore::Evaluations() {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare(absl::StrCat("SELECT candidate_hash, evaluator, is_proxy, "
                                                 "quality, metrics, ", FailureColumn(),
                                                 " FROM evaluations ORDER BY rowid")));
  std::vector<EvaluationRecord> all;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    all.push_back({s.Text(0), s.Text(1), s.Int(2) != 0, s.Double(3), s.Text(4), s.Text(5)});
  }
  return all;
}

absl::Status CampaignStore::PutDispatch(const std::string& request_id, const std::string& agent) {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare("INSERT OR REPLACE INTO dispatches "
                                                 "(request_id, agent, unix_ms) VALUES (?, ?, ?)"));
  return s.Bind(1, request_id).Bind(2, agent).Bind(3, NowUnixMs()).Run();
}

absl::StatusOr<std::map<std::string, std::string>> CampaignStore::Dispatches() {
  NAS_ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT request_id, agent FROM dispatches"));
  std::map<std::string, std::string> all;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    all[s.Text(0)] = s.Text(1);
  }
  return all;
}

absl::Status CampaignStore::PutAgentEvent(const AgentEventRecord& e) {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare("INSERT INTO agent_events (unix_ms, device_class, agent, "
                                    "kind, message) VALUES (?, ?, ?, ?, ?)"));
  return s.Bind(1, e.unix_ms ? e.unix_ms : NowUnixMs())
      .Bind(2, e.device_class)
      .Bind(3, e.agent)
      .Bind(4, e.kind)
      .Bind(5, e.message)
      .Run();
}

absl::StatusOr<std::vector<AgentEventRecord>> CampaignStore::AgentEvents() {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare("SELECT unix_ms, device_class, agent, kind, message "
                                    "FROM agent_events ORDER BY id"));
  std::vector<AgentEventRecord> events;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    events.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  }
  return events;
}

absl::StatusOr<int64_t> CampaignStore::LastActivityUnixMs() {
  NAS_ASSIGN_OR_RETURN(
      Statement s,
      db_->Prepare("SELECT max(coalesce((SELECT max(recorded_unix_ms) FROM measurements), 0), "
                   "coalesce((SELECT max(recorded_unix_ms) FROM evaluations), 0), "
                   "coalesce((SELECT max(recorded_unix_ms) FROM generations), 0), "
                   "coalesce((SELECT max(unix_ms) FROM dispatches), 0), "
                   "coalesce((SELECT max(unix_ms) FROM agent_events), 0))"));
  NAS_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

absl::Status CampaignStore::PutDrift(const DriftRecord& d) {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare("INSERT INTO drift (generation, reference, device_class, "
                                    "metric, value, baseline) VALUES (?, ?, ?, ?, ?, ?)"));
  return s.Bind(1, static_cast<int64_t>(d.generation))
      .Bind(2, d.reference)
      .Bind(3, d.device_class)
      .Bind(4, d.metric)
      .Bind(5, d.value)
      .Bind(6, d.baseline)
      .Run();
}

absl::StatusOr<std::vector<DriftRecord>> CampaignStore::Drift() {
  NAS_ASSIGN_OR_RETURN(Statement s,
                       db_->Prepare("SELECT generation, reference, device_class, metric, value, "
                                    "baseline FROM drift ORDER BY id"));
  std::vector<DriftRecord> drift;
  while (true) {
    NAS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    drift.push_back({static_cast<int>(s.Int(0)), s.Text(1), s.Text(2), s.Text(3), s.Double(4),
                     s.Double(5)});
  }
  return drift;
}

}  // namespace nas::results
