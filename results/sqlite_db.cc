#include "results/sqlite_db.h"

#include "absl/strings/str_cat.h"

namespace nas::results {
namespace {

absl::Status Error(sqlite3* db, const std::string& path, const std::string& what) {
  return absl::InternalError(
      absl::StrCat(path, ": ", what, ": ", db ? sqlite3_errmsg(db) : "cannot open"));
}

}  // namespace

Statement::Statement(sqlite3_stmt* stmt, std::string sql, std::string path)
    : stmt_(stmt), sql_(std::move(sql)), path_(std::move(path)) {}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), sql_(std::move(other.sql_)), path_(std::move(other.path_)),
      bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) bind_error_ = absl::InternalError("bind");
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) bind_error_ = absl::InternalError("bind");
  return *this;
}

Statement& Statement::Bind(int index, const std::string& text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    bind_error_ = absl::InternalError("bind");
  }
  return *this;
}

Statement& Statement::BindBlob(int index, const std::string& bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    bind_error_ = absl::InternalError("bind");
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) bind_error_ = absl::InternalError("bind");
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_error_.ok()) {
    return absl::InternalError(absl::StrCat(path_, ": cannot bind parameters of: ", sql_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(sqlite3_db_handle(stmt_), path_, sql_);
}

absl::Status Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column))
              : std::string();
}

std::string Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  return blob ? std::string(static_cast<const char*>(blob), sqlite3_column_bytes(stmt_, column))
              : std::string();
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create,
                                             bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    absl::Status status = absl::NotFoundError(
        absl::StrCat(path, ": cannot open the campaign database: ",
                     db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Db> out(new Db(db, path));
  if (!read_only) {
    if (auto s = out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !s.ok()) {
      return s;
    }
  }
  if (auto s = out->Exec("PRAGMA foreign_keys=ON;"); !s.ok()) return s;
  return out;
}

Db::~Db() { sqlite3_close(db_); }

absl::Status Db::Exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    absl::Status status = absl::InternalError(
        absl::StrCat(path_, ": ", message ? message : "error", " in: ", sql));
    sqlite3_free(message);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Db::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return Error(db_, path_, sql);
  }
  return Statement(stmt, sql, path_);
}

Db::Transaction::Transaction(Db& db) : db_(db) { open_ = db_.Exec("BEGIN IMMEDIATE").ok(); }

Db::Transaction::~Transaction() {
  if (open_) db_.Exec("ROLLBACK").IgnoreError();
}

absl::Status Db::Transaction::Commit() {
  if (!open_) return absl::InternalError(db_.path() + ": no open transaction to commit");
  open_ = false;
  return db_.Exec("COMMIT");
}

absl::StatusOr<std::unique_ptr<Db::ReadTransaction>> Db::ReadTransaction::Begin(Db& db) {
  if (auto s = db.Exec("BEGIN DEFERRED"); !s.ok()) return s;
  std::unique_ptr<ReadTransaction> transaction(new ReadTransaction(db));
  // Pins the snapshot now rather than at the caller's first query.
  if (auto s = db.Exec("SELECT count(*) FROM sqlite_master"); !s.ok()) return s;
  return transaction;
}

Db::ReadTransaction::~ReadTransaction() { db_.Exec("COMMIT").IgnoreError(); }

}  // namespace nas::results
