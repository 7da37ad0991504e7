#include "server/db.h"

#include "server/db_backend.h"

namespace thumbgen::server::sql {

Connection::Connection(const Target& target)
    : backend_(target.dialect == Dialect::Postgres ? detail::open_postgres(target.conninfo)
                                                   : detail::open_sqlite(target.file)) {}

Connection::Connection(const std::filesystem::path& sqlite_file) : backend_(detail::open_sqlite(sqlite_file)) {}

Connection::~Connection() {
  cache_.clear();  // finalized before the connection closes
}

Dialect Connection::dialect() const { return backend_->dialect(); }
void Connection::exec(const char* sql) { backend_->exec(sql); }
Statement Connection::prepare(std::string_view sql) { return Statement(backend_->prepare(sql, false)); }
int Connection::changes() const { return backend_->changes(); }
bool Connection::usable() const { return backend_->usable(); }
void Connection::begin(bool immediate) { backend_->begin(immediate); }
void Connection::commit() { backend_->commit(); }
void Connection::rollback() { backend_->rollback(); }

CachedStatement Connection::cached(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    auto statement = std::make_unique<Statement>(backend_->prepare(sql, true));
    found = cache_.emplace(std::string(sql), CacheEntry{std::move(statement), false}).first;
  }
  if (found->second.in_use) return CachedStatement(std::make_unique<Statement>(backend_->prepare(sql, true)));
  return CachedStatement(found->second);
}

CachedStatement::~CachedStatement() {
  if (!entry_) return;  // an owned statement finalizes itself
  statement_->reset();
  entry_->in_use = false;
}

Statement::Statement(std::unique_ptr<detail::StatementBackend> backend) : backend_(std::move(backend)) {}
Statement::~Statement() = default;
Statement::Statement(Statement&& other) noexcept = default;

Statement& Statement::bind(int index, std::int64_t value) {
  backend_->bind_int64(index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  backend_->bind_double(index, value);
  return *this;
}
Statement& Statement::bind(int index, UnixTime time) {
  backend_->bind_time(index, time.seconds);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  backend_->bind_text(index, text);
  return *this;
}
Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}
Statement& Statement::bind_null(int index) {
  backend_->bind_null(index);
  return *this;
}

bool Statement::step() { return backend_->step(); }
void Statement::run() {
  while (step()) {
  }
}
void Statement::reset() { backend_->reset(); }
bool Statement::is_null(int column) const { return backend_->is_null(column); }
std::int64_t Statement::int64(int column) const { return backend_->int64(column); }
double Statement::real(int column) const { return backend_->real(column); }
std::string Statement::text(int column) const { return std::string(backend_->text(column)); }
void Statement::text_into(int column, std::string& out) const { out.assign(backend_->text(column)); }
std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

Transaction::Transaction(Connection& connection, bool immediate) : connection_(connection) {
  connection_.begin(immediate);
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      connection_.rollback();
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  connection_.commit();
  done_ = true;
}

}  // namespace thumbgen::server::sql
