// Chaos: two `thumbgen serve` processes on one catalogue and one media store, four `thumbgen work` processes spread
// over them, and a killer that sends SIGKILL to random workers and servers at random moments (each comes back at
// once). Two settings: one SQLite catalogue with thumbnails on disk; PostgreSQL (restarted once, immediate mode, as
// after a crash) with thumbnails in s3rver (stopped for CHAOS_S3_OUTAGE_SECONDS, 20, in the middle). Afterwards every
// asset that can render has exactly one current thumbnail whose stored file exists and decodes, no job was completed
// twice, the assets that always fail are dead with their reasons, and after the sweep no stored file is left that no
// asset points at.
//
// `make test` runs the short form; `make chaos` the full one (CHAOS_ASSETS=2000 CHAOS_KILLS=100). Figures are printed
// as a "chaos:" line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <turbojpeg.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "server/db.h"
#include "server/s3_storage.h"
#include "server/storage_local.h"
#include "support/gltf_writer.h"
#include "support/http_client.h"
#include "support/s3_test_server.h"
#include "support/server_login.h"
#include "support/server_process.h"

extern char** environ;

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::HttpResult;
using test::ServerProcess;
using Clock = std::chrono::steady_clock;

constexpr const char* kPassword = "chaos-password";
constexpr int kAlwaysFailing = 3;

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

bool decodes_as_jpeg(const std::string& bytes) {
  tjhandle handle = tjInitDecompress();
  int width = 0, height = 0, subsampling = 0, colours = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  bool ok = tjDecompressHeader3(handle, data, bytes.size(), &width, &height, &subsampling, &colours) == 0 &&
            width > 0 && height > 0;
  if (ok) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3);
    ok = tjDecompress2(handle, data, bytes.size(), pixels.data(), width, 0, height, TJPF_RGB, 0) == 0;
  }
  tjDestroy(handle);
  return ok;
}

// One `thumbgen work --watch` process pointed at one server, its output appended to a log file.
class Worker {
 public:
  Worker(int index, const fs::path& folder) : index_(index), folder_(folder) {}
  ~Worker() { kill(SIGKILL); }

  void start(unsigned short server_port) {
    const std::string log = (folder_ / ("worker-" + std::to_string(index_) + ".log")).string();
    std::vector<std::string> args = {
        THUMBGEN_BINARY, "work",   "--server", "http://127.0.0.1:" + std::to_string(server_port),
        "--user",        "admin",  "--cache",  (folder_ / ("cache-" + std::to_string(index_))).string(),
        "--size",        "64x48",  "--jobs",   "1",
        "--batch",       "2",      "--lease",  "4",
        "--watch",       "--poll", "1",        "--json"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int failed = ::posix_spawn(&pid_, THUMBGEN_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) throw std::runtime_error("cannot start thumbgen work");
    server_port_ = server_port;
  }
  // Whether it is still running (reaps it when it has ended on its own, e.g. exit 4 after its server vanished).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  void kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  unsigned short server_port() const { return server_port_; }

 private:
  int index_;
  fs::path folder_;
  pid_t pid_ = -1;
  unsigned short server_port_ = 0;
};

// A PostgreSQL cluster of this test's own (tests/pg/pg_cluster.sh), which it restarts once: the suites' shared cluster
// must not go away under them.
class OwnPostgres {
 public:
  OwnPostgres() : state_(fs::temp_directory_path() / ("thumbgen-chaos-pg-" + std::to_string(::getpid()))) {
    run("start");
    std::ifstream in(state_ / "url");
    std::getline(in, url_);
    server::sql::Connection admin(server::sql::Target{server::sql::Dialect::Postgres, {}, url_ + "/postgres"});
    admin.exec("CREATE DATABASE chaos");
  }
  ~OwnPostgres() { run("stop"); }
  void restart() { run("restart"); }
  std::string setting() const { return url_ + "/chaos"; }

 private:
  void run(const std::string& action) {
    const std::string command =
        "bash '" THUMBGEN_SOURCE_DIR "/tests/pg/pg_cluster.sh' " + action + " '" + state_.string() + "' >&2";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("pg_cluster.sh " + action + " failed");
  }
  fs::path state_;
  std::string url_;
};

struct Figures {
  int assets = 0, kills_worker = 0, kills_server = 0, worker_restarts = 0;
  int thumbnails = 0, lost = 0, undecodable = 0, completed_twice = 0, dead = 0, dead_without_reason = 0;
  int orphans = 0, completions = 0, database_restarts = 0;
  double seconds = 0;
};

class ChaosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("THUMBGEN_PASSWORD", kPassword, 1);
    models_ = a_.data().parent_path() / "models";
    test::SimpleAsset cube;
    cube.meshes.push_back(test::unit_cube());
    const auto glb = test::write_glb(cube);
    fs::create_directories(models_);
    for (int i = 0; i < good_; ++i) {
      std::ofstream(models_ / ("cube-" + std::to_string(i) + ".glb"), std::ios::binary)
          .write(reinterpret_cast<const char*>(glb.data()), static_cast<std::streamsize>(glb.size()));
    }
    for (int i = 0; i < kAlwaysFailing; ++i) {
      std::ofstream(models_ / ("corrupt-" + std::to_string(i) + ".glb"), std::ios::binary)
          << std::string("glTF\x02\x00\x00\x00", 8) << std::string(40, '\x7f');
    }
  }
  void TearDown() override { ::unsetenv("THUMBGEN_PASSWORD"); }

  // Servers never sweep during the run (another server's upload may be between its store and its pointer switch);
  // the sweep runs once at the end, with everything else stopped.
  std::vector<std::string> server_env(int orphan_min_age = 3600) const {
    std::vector<std::string> env = {"THUMBGEN_METRICS_LISTEN=off", "THUMBGEN_MIN_LEASE_SECONDS=1",
                                    "THUMBGEN_MAX_ATTEMPTS=50",
                                    "THUMBGEN_ORPHAN_MIN_AGE=" + std::to_string(orphan_min_age)};
    if (s3_) {
      for (const std::string& entry : s3_->serve_environment()) env.push_back(entry);
      env.push_back(std::string("THUMBGEN_STORAGE=s3://") + test::S3TestServer::kBucket + "/chaos");
    }
    return env;
  }

  // What a supervisor (systemd's Restart=always) does: start it again until it stays up. A server does not start
  // while its bucket is unreachable (it lists the bucket first), so this may take until the bucket is back.
  void bring_back(ServerProcess& server, int orphan_min_age = 3600) {
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    for (;;) {
      try {
        server.restart({}, server_env(orphan_min_age));
        return;
      } catch (const std::exception& error) {
        server.stop(SIGKILL);
        if (Clock::now() > deadline) throw;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  // The thumbnail store the servers use, as the test reads it.
  std::unique_ptr<server::Storage> media() const {
    if (!s3_) return std::make_unique<server::LocalStorage>(a_.data() / "media");
    return std::make_unique<server::S3Storage>(server::S3StorageSettings{s3_->client_options(), "chaos", ""});
  }

  void run_chaos();

  nlohmann::json api(const std::string& target) {
    if (token_.empty()) token_ = test::login_token(a_.port(), "admin", kPassword);
    return test::http_request(a_.port(), "GET", target, "", test::bearer(token_)).json();
  }

  // Every asset row of the admin listing (keyset pages).
  std::vector<nlohmann::json> all_assets() {
    std::vector<nlohmann::json> rows;
    std::string after;
    for (;;) {
      nlohmann::json page = api("/api/v1/admin/assets?limit=100" + (after.empty() ? "" : "&after=" + after));
      for (const auto& row : page["assets"]) rows.push_back(row);
      if (!page.value("has_more", false)) return rows;
      after = page["next_cursor"].get<std::string>();
    }
  }

  // Successful completions per job in both servers' request logs (a killed server may lose its last lines, so
  // this can only undercount).
  std::map<std::string, int> completions() const {
    std::map<std::string, int> counts;
    std::regex line("path=/api/v1/admin/thumbnail-jobs/([0-9]+)/complete status=200 ");
    for (const ServerProcess* server : {&a_, &b_}) {
      const std::string log = server->log();
      for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) ++counts[(*it)[1]];
    }
    return counts;
  }

  std::unique_ptr<test::S3TestServer> s3_;  // null: thumbnails on disk (<data>/media)
  std::unique_ptr<OwnPostgres> pg_;         // null: the SQLite catalogue in the shared data folder
  int good_ = env_int("CHAOS_ASSETS", 40);
  int kills_ = env_int("CHAOS_KILLS", 12);
  ServerProcess a_;
  ServerProcess b_{a_.data()};
  std::vector<ServerProcess*> down_;  // killed during the bucket's outage, started again after it
  fs::path models_;
  std::string token_;
};

TEST_F(ChaosTest, NoThumbnailIsLostOrDoneTwiceWhileWorkersAndServersAreKilled) { run_chaos(); }

// The setting: PostgreSQL (restarted once, as after a crash) and a bucket (away for 20 s).
TEST_F(ChaosTest, NoThumbnailIsLostOrDoneTwiceOnPostgreSqlAndABucketThatBothGoAway) {
  s3_ = std::make_unique<test::S3TestServer>();
  pg_ = std::make_unique<OwnPostgres>();
  run_chaos();
}

void ChaosTest::run_chaos() {
  if (pg_) {
    a_.use_database(pg_->setting());
    b_.use_database(pg_->setting());
  }
  ASSERT_EQ(a_.add_user("admin", kPassword, true), 0);
  ASSERT_EQ(a_.import({models_.string()}), 0);
  Figures figures;
  figures.assets = good_ + kAlwaysFailing;
  const auto started = Clock::now();
  a_.start({}, server_env());
  b_.start({}, server_env());
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(std::make_unique<Worker>(i, a_.data().parent_path()));
    workers.back()->start(i % 2 == 0 ? a_.port() : b_.port());
  }

  std::mt19937 random(static_cast<unsigned>(env_int("CHAOS_SEED", 20261205)));
  auto keep_workers_running = [&] {
    for (auto& worker : workers) {
      if (!worker->running()) {
        worker->start(worker->server_port());
        ++figures.worker_restarts;
      }
    }
  };
  const int outage_seconds = s3_ ? env_int("CHAOS_S3_OUTAGE_SECONDS", 20) : 0;
  Clock::time_point outage_ends{};
  bool in_outage = false;
  for (int kill = 0; kill < kills_; ++kill) {
    if (s3_ && kill == kills_ / 3) {
      s3_->stop();
      outage_ends = Clock::now() + std::chrono::seconds(outage_seconds);
      in_outage = true;
    }
    if (pg_ && kill == kills_ * 2 / 3) {
      pg_->restart();
      ++figures.database_restarts;
    }
    if (in_outage && Clock::now() >= outage_ends) {
      s3_->start();
      in_outage = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 1500)(random)));
    keep_workers_running();
    if (std::uniform_int_distribution<int>(0, 9)(random) < 7) {
      Worker& victim = *workers[std::uniform_int_distribution<std::size_t>(0, workers.size() - 1)(random)];
      victim.kill(SIGKILL);
      victim.start(victim.server_port());
      ++figures.kills_worker;
    } else {
      ServerProcess& victim = std::uniform_int_distribution<int>(0, 1)(random) == 0 ? a_ : b_;
      victim.stop(SIGKILL);
      ++figures.kills_server;
      if (in_outage) {
        // Started again once the bucket is back (below), as a supervisor's retries would.
        if (std::find(down_.begin(), down_.end(), &victim) == down_.end()) down_.push_back(&victim);
      } else {
        bring_back(victim);
      }
    }
  }
  if (in_outage) {
    std::this_thread::sleep_until(outage_ends);
    s3_->start();
  }
  for (ServerProcess* server : down_) bring_back(*server);

  // Then let the queue drain: nothing queued or leased (an expired lease counts as queued).
  const auto deadline = Clock::now() + std::chrono::minutes(env_int("CHAOS_DRAIN_MINUTES", 10));
  nlohmann::json stats;
  for (;;) {
    keep_workers_running();
    stats = api("/api/v1/admin/thumbnail-jobs/stats");
    if (stats.value("queued", -1) == 0 && stats.value("leased", -1) == 0) break;
    ASSERT_LT(Clock::now(), deadline) << "the queue did not drain: " << stats.dump();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (auto& worker : workers) worker->kill(SIGTERM);
  figures.seconds = std::chrono::duration<double>(Clock::now() - started).count();

  // The sweep, once, with no other server running.
  ASSERT_EQ(b_.stop(), 0);
  ASSERT_EQ(a_.stop(), 0);
  bring_back(a_, 0);

  const std::unique_ptr<server::Storage> store = media();
  std::set<std::string> current;
  for (const nlohmann::json& row : all_assets()) {
    const std::string url = row.value("url", "");
    if (url.find("corrupt-") != std::string::npos) {
      EXPECT_TRUE(row["thumbnail_url"].is_null()) << row.dump();
      EXPECT_EQ(row.value("job_state", ""), "dead") << row.dump();
      ++figures.dead;
      if (!row["last_error"].is_string() || row["last_error"].get<std::string>().empty()) {
        ++figures.dead_without_reason;
        ADD_FAILURE() << "dead without a reason: " << row.dump();
      }
      continue;
    }
    if (!row["thumbnail_url"].is_string()) {
      ++figures.lost;
      ADD_FAILURE() << "no thumbnail: " << row.dump();
      continue;
    }
    const std::string thumbnail_url = row["thumbnail_url"].get<std::string>();
    ASSERT_NE(thumbnail_url.find("thumbs/"), std::string::npos) << thumbnail_url;
    const std::string key = thumbnail_url.substr(thumbnail_url.find("thumbs/"));
    current.insert(key);
    ++figures.thumbnails;
    if (!decodes_as_jpeg(store->read(key).value_or(""))) {
      ++figures.undecodable;
      ADD_FAILURE() << "the stored thumbnail is missing or does not decode: " << key;
    }
  }
  store->list("thumbs/", [&](const server::StoredObject& object) {
    if (!current.count(object.key)) {
      ++figures.orphans;
      ADD_FAILURE() << "orphan after the sweep: " << object.key;
    }
  });
  for (const auto& [job, count] : completions()) {
    figures.completions += count;
    if (count > 1) {
      ++figures.completed_twice;
      ADD_FAILURE() << "job " << job << " completed " << count << " times";
    }
  }
  EXPECT_EQ(figures.thumbnails, good_);
  EXPECT_EQ(figures.dead, kAlwaysFailing);
  std::printf(
      "chaos (%s, %s, %d database restart(s)): %d assets (%d always failing), %d kills (%d workers, %d servers), %d "
      "worker restarts, %.1f s; "
      "thumbnails %d, lost %d, undecodable %d, completions seen %d, completed twice %d, dead %d (without reason %d), "
      "orphans after sweep %d\n",
      pg_ ? "PostgreSQL" : "SQLite", s3_ ? ("bucket, " + std::to_string(outage_seconds) + " s outage").c_str() : "disk",
      figures.database_restarts, figures.assets, kAlwaysFailing, figures.kills_worker + figures.kills_server,
      figures.kills_worker, figures.kills_server, figures.worker_restarts, figures.seconds, figures.thumbnails,
      figures.lost, figures.undecodable, figures.completions, figures.completed_twice, figures.dead,
      figures.dead_without_reason, figures.orphans);
}

}  // namespace
}  // namespace thumbgen
