// A tiny RAII wrapper over the sqlite3 C API: connections, prepared statements with binding, transactions.
// Hand-written on purpose: Debian bookworm has no well-kept C++ SQLite wrapper (SQLiteCpp and sqlite_modern_cpp are
// not packaged), and the catalogue needs only these few calls.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace thumbgen::server::sql {

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Statement;
class CachedStatement;

class Connection {
 public:
  // Opens (creating when missing) with WAL, foreign keys on and a busy timeout so writers queue instead of failing.
  explicit Connection(const std::filesystem::path& file, int busy_timeout_ms = 5000);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const char* sql);  // one or more statements, no results
  Statement prepare(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept for the connection's lifetime: hot paths skip
  // sqlite3_prepare. Reset, with bindings cleared, when the returned handle goes out of scope.
  CachedStatement cached(std::string_view sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  struct CacheEntry {
    std::unique_ptr<Statement> statement;
    bool in_use = false;
  };
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>> cache_;
  friend class CachedStatement;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding is 1-based like SQLite; each returns *this so calls chain.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind_null(int index);

  bool step();   // true while a row is available
  void run();    // steps to completion (for writes)
  void reset();  // ready to run again, bindings cleared

  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  void check(int rc) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A borrowed cached statement (see Connection::cached); not to be kept beyond its connection's lease. When the same
// SQL is already borrowed (a nested use), it owns a fresh statement instead, so two users never share one.
class CachedStatement {
 public:
  ~CachedStatement();
  CachedStatement(CachedStatement&& other) noexcept
      : entry_(other.entry_), statement_(other.statement_), owned_(std::move(other.owned_)) {
    other.entry_ = nullptr;
    other.statement_ = nullptr;
  }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  Statement& operator*() const { return *statement_; }
  Statement* operator->() const { return statement_; }

 private:
  friend class Connection;
  explicit CachedStatement(Connection::CacheEntry& entry) : entry_(&entry), statement_(entry.statement.get()) {
    entry.in_use = true;
  }
  explicit CachedStatement(std::unique_ptr<Statement> owned) : statement_(owned.get()), owned_(std::move(owned)) {}
  Connection::CacheEntry* entry_ = nullptr;
  Statement* statement_ = nullptr;
  std::unique_ptr<Statement> owned_;
};

// BEGIN IMMEDIATE (takes the write lock up front: a read-then-write never fails with SQLITE_BUSY half way);
// rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& connection, bool immediate = true);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace thumbgen::server::sql
