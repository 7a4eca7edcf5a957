// A thin RAII layer over SQLite's C API for the result store (the only SQL in the
// project lives under results/): a connection opened in WAL mode with a busy timeout, and
// prepared statements with typed binds and reads. Errors are absl::Status naming the
// database file and the failing statement. A Db is used from one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace nas::results {

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, std::string sql, std::string path);
  ~Statement();
  Statement(Statement&&) noexcept;
  Statement(const Statement&) = delete;

  // Binds are 1-based, as in SQLite.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, const std::string& text);
  Statement& BindBlob(int index, const std::string& bytes);
  Statement& BindNull(int index);

  // Advances: true with a row, false when done.
  absl::StatusOr<bool> Step();
  // Runs to completion (for statements without rows).
  absl::Status Run();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3_stmt* stmt_;
  std::string sql_, path_;
  absl::Status bind_error_;
};

class Db {
 public:
  // Opens (creating if asked) the file in WAL mode, foreign keys on, a 5 s busy timeout.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path, bool create,
                                                  bool read_only = false);
  ~Db();

  absl::Status Exec(const std::string& sql);  // one or more statements, no rows
  absl::StatusOr<Statement> Prepare(const std::string& sql);

  // BEGIN IMMEDIATE ... COMMIT; ROLLBACK on destruction when not committed.
  class Transaction {
   public:
    explicit Transaction(Db& db);
    ~Transaction();
    absl::Status Commit();

   private:
    Db& db_;
    bool open_ = false;
  };

  // BEGIN, a first read (a deferred transaction takes its WAL snapshot at its first read),
  // ... COMMIT on destruction: every read in between sees the same committed state, however
  // much a writer adds meanwhile. For readers (a report while the campaign runs).
  class ReadTransaction {
   public:
    static absl::StatusOr<std::unique_ptr<ReadTransaction>> Begin(Db& db);
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

   private:
    explicit ReadTransaction(Db& db) : db_(db) {}
    Db& db_;
  };

  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace nas::results
