// The catalogue's database layer: one small API (connections, prepared statements with binding, cached statements,
// transactions) over two engines, SQLite (the embedded default, a file in --data) and PostgreSQL (libpq, for a
// catalogue shared by several servers). Queries are written once with SQLite's `?` / `?N` placeholders; the
// PostgreSQL backend rewrites them to `$N`. The few queries that must differ ask dialect().
// Times are unix seconds in C++ and in SQLite's INTEGER columns, timestamptz in PostgreSQL's (psql, pg_dump and
// PostgreSQL's time functions see real instants there): a time is bound as a UnixTime, and a timestamptz column
// reads back as unix seconds through int64(), so the same SQL text serves both (see UnixTime).
// Hand-written on purpose: Debian bookworm packages no well-kept C++ wrapper for SQLite (SQLiteCpp and
// sqlite_modern_cpp are missing) and libpqxx would be a second style for the same few calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace thumbgen::server::sql {

enum class Dialect { Sqlite, Postgres };

// Where the catalogue lives: `--database` / THUMBGEN_DATABASE.
struct Target {
  Dialect dialect = Dialect::Sqlite;
  std::filesystem::path file;  // SQLite
  std::string conninfo;        // PostgreSQL: a libpq connection URI (postgresql://user:pass@host:port/db)
  // For logs and messages: the file, or the URI without its password.
  std::string describe() const;
};

// "sqlite:" (default: <data>/catalogue.sqlite3), "sqlite:PATH", or "postgresql://..." / "postgres://...".
// Throws std::invalid_argument naming what is wrong.
Target parse_target(std::string_view setting, const std::filesystem::path& data_folder);
// The catalogue a command opens: the --database flag when given, else THUMBGEN_DATABASE, else sqlite: in the data
// folder.
Target command_target(std::string_view flag, const std::filesystem::path& data_folder);

// An instant in unix seconds, bound as such: an INTEGER on SQLite, a timestamptz on PostgreSQL (sent as its text,
// typed timestamptz, so `col <= ?1` and `SET col = ?1` need no cast in the SQL).
// Why the caller says which values are times, rather than the PostgreSQL engine asking the server for each
// statement's parameter types (PQdescribePrepared) and converting what it finds: that is a round trip more per
// statement text and connection, the server infers no type for some parameters (INSERT ... SELECT ?2 takes it as
// text), and bare int64 parameters would lose the int8 typing the other queries rely on. Writing a conversion into
// each query's SQL (to_timestamp(?N), extract(epoch ...) per dialect) forks every text that touches a time.
// A time bound as a plain integer fails loudly on PostgreSQL (no operator timestamptz <= bigint): the suites that
// run on both engines find it. Cost: the values travel as text (about 1.3 µs to write one here, 0.3 µs to read
// one, plus PostgreSQL's parsing and printing): a claim of 10 jobs took 3-4% longer than with BIGINT columns.
struct UnixTime {
  std::int64_t seconds = 0;
};

class Error : public std::runtime_error {
 public:
  // `code`: SQLite's result code, or 1 for PostgreSQL; `sqlstate`: PostgreSQL's five-character code ("" on SQLite).
  Error(int code, const std::string& message, std::string sqlstate = {})
      : std::runtime_error(message), code_(code), sqlstate_(std::move(sqlstate)) {}
  int code() const { return code_; }
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  int code_;
  std::string sqlstate_;
};

namespace detail {
class ConnectionBackend;
class StatementBackend;
}  // namespace detail

class Statement;
class CachedStatement;

class Connection {
 public:
  // SQLite: opens (creating when missing) with WAL, foreign keys on and a busy timeout so writers queue instead of
  // failing. PostgreSQL: connects, UTF-8, with statement placeholders rewritten.
  explicit Connection(const Target& target);
  explicit Connection(const std::filesystem::path& sqlite_file);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Dialect dialect() const;
  void exec(const char* sql);  // one or more statements, no results, no placeholders
  void exec(const std::string& sql) { exec(sql.c_str()); }
  Statement prepare(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept for the connection's lifetime: hot paths skip the
  // parse. Reset, with bindings cleared, when the returned handle goes out of scope.
  CachedStatement cached(std::string_view sql);
  // Rows the last INSERT, UPDATE or DELETE changed.
  int changes() const;
  // False once the server went away (PostgreSQL): the pool drops such a connection instead of lending it again.
  bool usable() const;

  // The transaction statements of this engine (Transaction uses them).
  void begin(bool immediate);
  void commit();
  void rollback();

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  struct CacheEntry {
    std::unique_ptr<Statement> statement;
    bool in_use = false;
  };
  std::unique_ptr<detail::ConnectionBackend> backend_;
  std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>> cache_;
  friend class CachedStatement;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<detail::StatementBackend> backend);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding is 1-based like SQLite; each returns *this so calls chain. An unbound parameter is NULL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, UnixTime time);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind_null(int index);

  bool step();   // true while a row is available
  void run();    // steps to completion (for writes)
  void reset();  // ready to run again, bindings cleared

  bool is_null(int column) const;
  // A boolean column reads 1 or 0 (PostgreSQL answers comparisons as booleans, SQLite as integers); a timestamptz
  // column (PostgreSQL) reads as unix seconds.
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  void text_into(int column, std::string& out) const;  // the same, reusing out's buffer
  std::optional<std::string> optional_text(int column) const;

 private:
  std::unique_ptr<detail::StatementBackend> backend_;
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

// Rolls back unless commit() was called.
// immediate (writes): SQLite BEGIN IMMEDIATE takes the write lock up front, so a read-then-write never fails with
// SQLITE_BUSY half way; PostgreSQL BEGIN (read committed): a read-then-write locks its rows with for_update().
// Not immediate (reads): one consistent snapshot (SQLite BEGIN; PostgreSQL REPEATABLE READ, READ ONLY).
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

// " FOR UPDATE" on PostgreSQL (the rows a read-then-write transaction reads stay its own until it ends), "" on
// SQLite (BEGIN IMMEDIATE already holds the only write lock).
inline const char* for_update(Dialect dialect) { return dialect == Dialect::Postgres ? " FOR UPDATE" : ""; }

}  // namespace thumbgen::server::sql
