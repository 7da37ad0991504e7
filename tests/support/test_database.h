// The catalogue suites run on both engines: SQLite (a file in the test's folder) and PostgreSQL (a fresh database
// on the test cluster that tests/pg/pg_cluster.sh starts; CTest's pg_cluster fixture). A PostgreSQL test fails,
// never skips, when that server cannot be reached.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "server/db.h"

namespace thumbgen::test {

enum class Backend { Sqlite, Postgres };
void PrintTo(Backend backend, std::ostream* out);  // test names read ".../Postgres  # GetParam() = Postgres"

// For INSTANTIATE_TEST_SUITE_P(Backends, Suite, kBothBackends, backend_name).
inline const auto kBothBackends = ::testing::Values(Backend::Sqlite, Backend::Postgres);
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

// The test cluster's server, postgresql://user@host:port (no database): THUMBGEN_TEST_POSTGRES_URL when set, else
// the URL the CTest fixture wrote (THUMBGEN_TEST_POSTGRES_STATE names its folder), else a cluster this process starts
// for itself (a test binary run by hand) and stops at exit. Throws when none can be had.
std::string postgres_server_url();

// A fresh, empty catalogue database for one test, removed by the destructor.
class TestDatabase {
 public:
  TestDatabase(Backend backend, const std::filesystem::path& folder);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  server::sql::Target target() const;
  // The value of --database / THUMBGEN_DATABASE that names it.
  std::string setting() const;

 private:
  Backend backend_;
  std::filesystem::path file_;
  std::string name_;  // the PostgreSQL database
};

}  // namespace thumbgen::test
