#include "server/sqlite.h"

#include <string>

namespace thumbgen::server::sql {

namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(rc, message);
}
}  // namespace

Connection::Connection(const std::filesystem::path& file, int busy_timeout_ms) {
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

Connection::~Connection() {
  cache_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

void Connection::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw Error(rc, "sql: " + text);
  }
}

Statement Connection::prepare(std::string_view sql) { return Statement(db_, sql); }

CachedStatement Connection::cached(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    auto statement = std::make_unique<Statement>(db_, sql);
    found = cache_.emplace(std::string(sql), CacheEntry{std::move(statement), false}).first;
  }
  if (found->second.in_use) return CachedStatement(std::make_unique<Statement>(db_, sql));
  return CachedStatement(found->second);
}

CachedStatement::~CachedStatement() {
  if (!entry_) return;  // an owned statement finalizes itself
  statement_->reset();
  entry_->in_use = false;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::check(int rc) const {
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
}

Statement& Statement::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}
Statement& Statement::bind(int index, double value) {
  check(sqlite3_bind_double(stmt_, index, value));
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}
Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}
Statement& Statement::bind_null(int index) {
  check(sqlite3_bind_null(stmt_, index));
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)) : std::string();
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

// BEGIN, COMMIT and ROLLBACK are cached too: every read of the listing runs in a transaction.
Transaction::Transaction(Connection& connection, bool immediate) : connection_(connection) {
  connection_.cached(immediate ? "BEGIN IMMEDIATE" : "BEGIN")->run();
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      connection_.cached("ROLLBACK")->run();
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  connection_.cached("COMMIT")->run();
  done_ = true;
}

}  // namespace thumbgen::server::sql
