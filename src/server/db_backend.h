// The two engines behind sql::Connection and sql::Statement (db.h): what each must provide. Internal to the layer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/db.h"

namespace thumbgen::server::sql::detail {

class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_time(int index, std::int64_t unix_seconds) = 0;  // sql::UnixTime
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_null(int index) = 0;
  virtual bool step() = 0;
  virtual void reset() = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;  // a timestamptz as unix seconds
  virtual double real(int column) const = 0;
  virtual std::string_view text(int column) const = 0;  // valid until the next step or reset
};

class ConnectionBackend {
 public:
  virtual ~ConnectionBackend() = default;
  virtual Dialect dialect() const = 0;
  virtual void exec(const char* sql) = 0;
  // `kept`: the statement will run many times (Connection::cached), worth preparing on the server once.
  virtual std::unique_ptr<StatementBackend> prepare(std::string_view sql, bool kept) = 0;
  virtual int changes() const = 0;
  virtual bool usable() const = 0;
  virtual void begin(bool immediate) = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
};

std::unique_ptr<ConnectionBackend> open_sqlite(const std::filesystem::path& file);
std::unique_ptr<ConnectionBackend> open_postgres(const std::string& conninfo);

}  // namespace thumbgen::server::sql::detail
