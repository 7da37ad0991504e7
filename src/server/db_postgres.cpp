// The PostgreSQL engine of the database layer (db.h), on libpq: text parameters typed from their C++ values,
// statements that run more than once prepared on the server (one per SQL text and parameter types, per
// connection), whole results fetched at once (a page, a claim: small; and a statement may run while another's rows
// are still being read, as on SQLite). Times (sql::UnixTime) go out as timestamptz text and timestamptz columns
// come back as unix seconds (db_timestamptz.h), in the session's DateStyle ISO and time zone UTC.
#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/db_backend.h"
#include "server/db_placeholders.h"
#include "server/db_timestamptz.h"

namespace thumbgen::server::sql::detail {

namespace {

// OIDs of the built-in types the parameters are sent as (pg_type.h; stable across releases).
constexpr Oid kInt8 = 20, kText = 25, kFloat8 = 701, kTimestamptz = 1184, kUnknown = 0;

// Prepared statements kept per connection before they are all dropped (admin filters make many SQL texts).
constexpr std::size_t kMaxPrepared = 500;

// PostgreSQL text is valid UTF-8 without NUL bytes; SQLite stores any bytes. Invalid sequences and NULs become
// U+FFFD, as the API's JSON writer shows them anyway, rather than failing the whole statement.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 6 ? 2 : (byte >> 4) == 14 ? 3 : (byte >> 3) == 30 ? 4 : 0;
    bool valid = length > 0 && byte != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (valid && length > 1) {  // no overlong forms, surrogates or code points beyond U+10FFFF
      std::uint32_t code = byte & (0x7F >> length);
      for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = code >= kMinimum[length] && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
    }
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out.append(kReplacement);
      ++i;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (unsigned char c : text)
    if (c >= 0x80 || c == 0) return valid_utf8(text) == text;
  return true;
}

[[noreturn]] void fail_result(PGresult* result, std::string_view what) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = std::string(what) + ": " + PQresultErrorMessage(result);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string sqlstate = state ? state : "";
  PQclear(result);
  throw Error(1, message, sqlstate);
}

class PostgresConnection;

class PostgresStatement final : public StatementBackend {
 public:
  PostgresStatement(PostgresConnection& connection, std::string_view sql, bool kept)
      : connection_(connection), sql_(to_postgres_placeholders(sql)), kept_(kept) {
    values_.resize(static_cast<std::size_t>(sql_.parameters));
    clear_bindings();
  }
  ~PostgresStatement() override { clear(); }

  void bind_int64(int index, std::int64_t value) override { set(index, std::to_string(value), kInt8); }
  void bind_double(int index, double value) override {
    char text[32];
    auto end = std::to_chars(text, text + sizeof text, value).ptr;
    set(index, std::string(text, end), kFloat8);
  }
  void bind_time(int index, std::int64_t unix_seconds) override {
    set(index, timestamptz_text(unix_seconds), kTimestamptz);
  }
  void bind_text(int index, std::string_view text) override {
    set(index, is_valid_utf8(text) ? std::string(text) : valid_utf8(text), kUnknown);
  }
  void bind_null(int index) override {
    slot(index);
    nulls_[static_cast<std::size_t>(index - 1)] = true;
    types_[static_cast<std::size_t>(index - 1)] = unbound_type(index - 1);
  }

  bool step() override;
  void reset() override {
    clear();
    clear_bindings();
  }

  bool is_null(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
  std::int64_t int64(int column) const override {
    std::string_view value = text(column);
    if (PQftype(result_, column) == kTimestamptz) return value.empty() ? 0 : timestamptz_seconds(value);  // "": NULL
    if (value == "t") return 1;
    if (value == "f") return 0;
    std::int64_t number = 0;
    std::from_chars(value.data(), value.data() + value.size(), number);
    return number;
  }
  double real(int column) const override { return std::strtod(PQgetvalue(result_, row_, column), nullptr); }
  std::string_view text(int column) const override {
    return std::string_view(PQgetvalue(result_, row_, column),
                            static_cast<std::size_t>(PQgetlength(result_, row_, column)));
  }

 private:
  void slot(int index) const {
    if (index < 1 || index > sql_.parameters)
      throw Error(1, "bind: no parameter " + std::to_string(index) + " in: " + sql_.text);
  }
  void set(int index, std::string value, Oid type) {
    slot(index);
    const auto at = static_cast<std::size_t>(index - 1);
    values_[at] = std::move(value);
    types_[at] = type;
    nulls_[at] = false;
  }
  // A NULL's type is left to the server to infer, except for a parameter the text never names: nothing to infer
  // it from (PostgreSQL refuses the statement), and any type will do.
  Oid unbound_type(int at) const {
    return at < static_cast<int>(sql_.referenced.size()) && sql_.referenced[static_cast<std::size_t>(at)] ? kUnknown
                                                                                                          : kText;
  }
  void clear_bindings() {
    types_.resize(values_.size());
    for (std::size_t i = 0; i < types_.size(); ++i) types_[i] = unbound_type(static_cast<int>(i));
    nulls_.assign(values_.size(), true);
  }
  void clear() {
    if (result_) PQclear(result_);
    result_ = nullptr;
    executed_ = false;
    row_ = -1;
    rows_ = 0;
  }

  PostgresConnection& connection_;
  PostgresSql sql_;
  bool kept_;
  int runs_ = 0;
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  std::vector<bool> nulls_;
  PGresult* result_ = nullptr;
  bool executed_ = false;
  int row_ = -1, rows_ = 0;
};

class PostgresConnection final : public ConnectionBackend {
 public:
  explicit PostgresConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
      while (!message.empty() && message.back() == '\n') message.pop_back();
      PQfinish(conn_);
      conn_ = nullptr;
      throw Error(1, "cannot connect to PostgreSQL: " + message);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // "already exists, skipping" and the like
    if (PQsetClientEncoding(conn_, "UTF8") != 0) throw Error(1, "PostgreSQL: cannot use UTF8");
    // Times print as "2023-11-14 22:13:20+00" (what int64() reads), whatever the server's own DateStyle and
    // TimeZone. Plans for the bound values, every time: a generic plan of the claim query (made after five runs)
    // ignores the time and the selection and took seconds where the custom plan takes milliseconds. Planning costs
    // well under a millisecond for these queries.
    exec("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'; SET plan_cache_mode = force_custom_plan");
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::Postgres; }
  void exec(const char* sql) override {
    PGresult* result = PQexec(conn_, sql);
    check(result, "sql");
    PQclear(result);
  }
  std::unique_ptr<StatementBackend> prepare(std::string_view sql, bool kept) override {
    return std::make_unique<PostgresStatement>(*this, sql, kept);
  }
  int changes() const override { return changes_; }
  bool usable() const override {
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }
  void begin(bool immediate) override { exec(immediate ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  void commit() override { exec("COMMIT"); }
  void rollback() override { exec("ROLLBACK"); }

  // Runs `sql` with these parameters: through a server-side prepared statement when `prepared`, else parsed once.
  PGresult* run(const PostgresSql& sql, const std::vector<std::string>& values, const std::vector<Oid>& types,
                const std::vector<bool>& nulls, bool prepared) {
    std::vector<const char*> pointers(values.size());
    std::vector<int> lengths(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      pointers[i] = nulls[i] ? nullptr : values[i].c_str();
      lengths[i] = static_cast<int>(values[i].size());
    }
    const int count = static_cast<int>(values.size());
    PGresult* result = nullptr;
    if (!prepared) {
      result = PQexecParams(conn_, sql.text.c_str(), count, types.data(), pointers.data(), lengths.data(), nullptr, 0);
    } else {
      result =
          PQexecPrepared(conn_, statement_name(sql, types).c_str(), count, pointers.data(), lengths.data(), nullptr, 0);
    }
    check(result, "statement");
    const char* status = PQcmdStatus(result);
    if (std::string_view verb(status); verb.starts_with("INSERT") || verb.starts_with("UPDATE") ||
                                       verb.starts_with("DELETE") || verb.starts_with("MERGE")) {
      changes_ = std::atoi(PQcmdTuples(result));
    }
    return result;
  }

 private:
  void check(PGresult* result, std::string_view what) {
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    if (!result) throw Error(1, std::string(what) + ": " + PQerrorMessage(conn_));
    fail_result(result, what);
  }

  const std::string& statement_name(const PostgresSql& sql, const std::vector<Oid>& types) {
    std::string key = sql.text;
    key += '\x1f';
    for (Oid type : types) key += std::to_string(type) + ",";
    auto found = prepared_.find(key);
    if (found != prepared_.end()) return found->second;
    if (prepared_.size() >= kMaxPrepared) {
      exec("DEALLOCATE ALL");
      prepared_.clear();
    }
    std::string name = "thumbgen_" + std::to_string(++names_);
    PGresult* result = PQprepare(conn_, name.c_str(), sql.text.c_str(), static_cast<int>(types.size()), types.data());
    check(result, "prepare");
    PQclear(result);
    return prepared_.emplace(std::move(key), std::move(name)).first->second;
  }

  PGconn* conn_ = nullptr;
  int changes_ = 0;
  std::unordered_map<std::string, std::string> prepared_;
  std::uint64_t names_ = 0;
};

bool PostgresStatement::step() {
  if (!executed_) {
    // A statement run a second time (a loop of inserts) is worth preparing; a kept one is prepared at once.
    result_ = connection_.run(sql_, values_, types_, nulls_, kept_ || runs_ > 0);
    ++runs_;
    executed_ = true;
    rows_ = PQntuples(result_);
  }
  return ++row_ < rows_;
}

}  // namespace

std::unique_ptr<ConnectionBackend> open_postgres(const std::string& conninfo) {
  return std::make_unique<PostgresConnection>(conninfo);
}

}  // namespace thumbgen::server::sql::detail
