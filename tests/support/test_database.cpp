#include "support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>

namespace thumbgen::test {

namespace fs = std::filesystem;

namespace {

std::string read_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// A cluster of this process's own (no fixture): started on first use, stopped when the process exits.
fs::path g_own_state;
void stop_own_cluster() {
  const std::string command =
      "bash '" THUMBGEN_SOURCE_DIR "/tests/pg/pg_cluster.sh' stop '" + g_own_state.string() + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
  }
  std::error_code ignored;
  fs::remove_all(g_own_state, ignored);
}

std::string start_own_cluster() {
  g_own_state = fs::temp_directory_path() / ("thumbgen-pg-state-" + std::to_string(::getpid()));
  const std::string command =
      "bash '" THUMBGEN_SOURCE_DIR "/tests/pg/pg_cluster.sh' start '" + g_own_state.string() + "' >&2";
  const int status = std::system(command.c_str());
  std::atexit(stop_own_cluster);
  if (status != 0) throw std::runtime_error("tests/pg/pg_cluster.sh could not start PostgreSQL (see above)");
  return read_line(g_own_state / "url");
}

std::string unique_database_name() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return "thumbgen_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 1000000);
}

server::sql::Target postgres_target(const std::string& database) {
  return {server::sql::Dialect::Postgres, {}, postgres_server_url() + "/" + database};
}

}  // namespace

void PrintTo(Backend backend, std::ostream* out) { *out << (backend == Backend::Sqlite ? "Sqlite" : "Postgres"); }

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

std::string postgres_server_url() {
  static std::mutex mutex;
  static std::string url;
  std::lock_guard lock(mutex);
  if (!url.empty()) return url;
  if (const char* given = std::getenv("THUMBGEN_TEST_POSTGRES_URL"); given && *given) {
    url = given;
  } else if (const char* state = std::getenv("THUMBGEN_TEST_POSTGRES_STATE"); state && *state) {
    url = read_line(fs::path(state) / "url");
    if (url.empty()) {
      throw std::runtime_error(std::string("no PostgreSQL test cluster: ") + state +
                               "/url is missing (did the PgClusterStart fixture fail?)");
    }
  } else {
    url = start_own_cluster();
  }
  return url;
}

TestDatabase::TestDatabase(Backend backend, const fs::path& folder) : backend_(backend) {
  if (backend_ == Backend::Sqlite) {
    file_ = folder / "catalogue.sqlite3";
    return;
  }
  name_ = unique_database_name();
  server::sql::Connection admin(postgres_target("postgres"));
  admin.exec("CREATE DATABASE " + name_);
}

TestDatabase::~TestDatabase() {
  if (name_.empty()) return;
  try {
    server::sql::Connection admin(postgres_target("postgres"));
    admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");  // a server still connected is cut off
  } catch (const std::exception& error) {
    ADD_FAILURE() << "cannot drop test database " << name_ << ": " << error.what();
  }
}

server::sql::Target TestDatabase::target() const {
  if (backend_ == Backend::Sqlite) return {server::sql::Dialect::Sqlite, file_, {}};
  return postgres_target(name_);
}

std::string TestDatabase::setting() const {
  if (backend_ == Backend::Sqlite) return "sqlite:" + file_.string();
  return postgres_target(name_).conninfo;
}

}  // namespace thumbgen::test
