// The SQLite engine of the database layer (db.h): the sqlite3 C API, WAL, a busy timeout.
#include <sqlite3.h>

#include <string>

#include "server/db_backend.h"

namespace thumbgen::server::sql::detail {

namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(rc, message);
}

class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, "prepare");
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bind_int64(int index, std::int64_t value) override { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind_double(int index, double value) override { check(sqlite3_bind_double(stmt_, index, value)); }
  void bind_time(int index, std::int64_t unix_seconds) override { bind_int64(index, unix_seconds); }
  void bind_text(int index, std::string_view text) override {
    check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_null(int index) override { check(sqlite3_bind_null(stmt_, index)); }

  bool step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, "step");
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string_view text(int column) const override {
    const unsigned char* data = sqlite3_column_text(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))
                : std::string_view();
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection final : public ConnectionBackend {
 public:
  explicit SqliteConnection(const std::filesystem::path& file, int busy_timeout_ms = 5000) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = "cannot open " + file.string() + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(rc, message);
    }
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  }
  ~SqliteConnection() override {
    for (auto& statement : transaction_statements_) statement.reset();  // finalized before the close
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::Sqlite; }
  void exec(const char* sql) override {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      throw Error(rc, "sql: " + text);
    }
  }
  std::unique_ptr<StatementBackend> prepare(std::string_view sql, bool) override {
    return std::make_unique<SqliteStatement>(db_, sql);
  }
  int changes() const override { return sqlite3_changes(db_); }
  bool usable() const override { return true; }
  // Prepared once: every read of the listing runs in a transaction.
  void begin(bool immediate) override { run(immediate ? 0 : 1, immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }
  void commit() override { run(2, "COMMIT"); }
  void rollback() override { run(3, "ROLLBACK"); }

 private:
  void run(int slot, const char* sql) {
    auto& statement = transaction_statements_[slot];
    if (!statement) statement = std::make_unique<SqliteStatement>(db_, sql);
    statement->reset();
    while (statement->step()) {
    }
    statement->reset();
  }
  sqlite3* db_ = nullptr;
  std::unique_ptr<SqliteStatement> transaction_statements_[4];
};

}  // namespace

std::unique_ptr<ConnectionBackend> open_sqlite(const std::filesystem::path& file) {
  return std::make_unique<SqliteConnection>(file);
}

}  // namespace thumbgen::server::sql::detail
