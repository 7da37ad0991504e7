// `thumbgen work` end to end over loopback: a real `thumbgen serve` on a catalogue imported from generated models
// (GLB, OBJ + MTL, STL, one corrupt GLB), real worker processes, results checked through the API and the server log.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/gltf_writer.h"
#include "support/http_client.h"
#include "support/metrics_listener_checks.h"
#include "support/process.h"
#include "support/prometheus_text.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::http_request;
using test::ServerProcess;

constexpr const char* kPassword = "worker-password";

void write_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// Good models: `copies` GLB cubes, an OBJ with its MTL, an ASCII STL; plus one corrupt GLB.
void write_models(const fs::path& folder, int copies) {
  test::SimpleAsset cube;
  cube.meshes.push_back(test::unit_cube());
  auto glb = test::write_glb(cube);
  fs::create_directories(folder);
  for (int i = 0; i < copies; ++i) {
    std::ofstream(fs::path(folder) / ("cube-" + std::to_string(i) + ".glb"), std::ios::binary)
        .write(reinterpret_cast<const char*>(glb.data()), static_cast<std::streamsize>(glb.size()));
  }
  write_file(folder / "objs" / "tri.obj",
             "mtllib tri.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nusemtl red\n"
             "f 1 2 3\nf 1 3 4\nf 1 2 4\n");
  write_file(folder / "objs" / "tri.mtl", "newmtl red\nKd 0.8 0.1 0.1\n");
  write_file(folder / "wedge.stl",
             "solid w\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\n"
             "facet normal 0 1 0\nouter loop\nvertex 0 0 0\nvertex 0 0 1\nvertex 1 0 0\nendloop\nendfacet\n"
             "endsolid w\n");
  write_file(folder / "corrupt.glb", std::string("glTF\x02\x00\x00\x00", 8) + std::string(40, '\x7f'));
}

// Polls `condition` until it holds or `limit` passes (generous limits: CI machines can be slow and loaded).
template <class Condition>
bool wait_until(Condition&& condition, std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

int occurrences(const std::string& text, const std::string& word) {
  int n = 0;
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

struct WorkRun {
  int exit_code = -1;
  std::string out, err;
  double seconds = 0;
};

class WorkerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(server_.add_user("admin", kPassword, true), 0);
    models_ = server_.data().parent_path() / "models";
    cache_ = server_.data().parent_path() / "cache";
  }

  void start(int copies, const std::vector<std::string>& env = {}) {
    write_models(models_, copies);
    ASSERT_EQ(server_.import({models_.string()}), 0);
    server_.start({}, env);
    good_assets_ = copies + 2;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  std::vector<std::string> work_args(std::vector<std::string> extra, const std::string& size = "96x64") const {
    std::vector<std::string> args = {THUMBGEN_BINARY, "work",    "--server",      url(),    "--user",
                                     "admin",         "--cache", cache_.string(), "--size", size};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  WorkRun work(std::vector<std::string> extra, const char* password = kPassword) {
    ::setenv("THUMBGEN_PASSWORD", password, 1);
    auto started = std::chrono::steady_clock::now();
    auto result = test::run_process(work_args(std::move(extra)));
    ::unsetenv("THUMBGEN_PASSWORD");
    return {result.exit_code, result.out, result.err,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
  }

  // One login per test (password hashing is slow on purpose): the tests poll with it.
  std::string token() {
    if (admin_token_.empty()) {
      auto login = http_request(server_.port(), "POST", "/api/v1/login/jwt",
                                nlohmann::json{{"username", "admin"}, {"password", kPassword}}.dump());
      admin_token_ = login.json().value("access_token", "");
    }
    return admin_token_;
  }

  nlohmann::json missing() {
    auto result = http_request(server_.port(), "GET", "/api/v1/admin/assets/missing-thumbnails?limit=100", "",
                               {{"Authorization", "Bearer " + token()}});
    return result.json();
  }

  nlohmann::json stats() {
    return http_request(server_.port(), "GET", "/api/v1/admin/thumbnail-jobs/stats", "",
                        {{"Authorization", "Bearer " + token()}})
        .json();
  }

  // How many times each path was answered with `status` in the server's request log.
  std::map<std::string, int> requests(const std::string& path_pattern, int status) {
    std::map<std::string, int> counts;
    std::regex line("path=(" + path_pattern + ") status=" + std::to_string(status) + " ");
    std::string log = server_.log();
    for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) ++counts[(*it)[1]];
    return counts;
  }

  // The server logs a request after answering it: waits (up to 5 s) until `total` such lines are there, then a
  // little longer so that any extra ones would show too; returns the total seen.
  int total(const std::string& path_pattern, int status) {
    int sum = 0;
    for (const auto& [path, n] : requests(path_pattern, status)) sum += n;
    return sum;
  }

  int settled_count(const std::string& path_pattern, int status, int total) {
    auto count = [&] {
      int sum = 0;
      for (const auto& [path, n] : requests(path_pattern, status)) sum += n;
      return sum;
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (count() < total && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return count();
  }

  ServerProcess server_;
  std::string admin_token_;
  fs::path models_, cache_;
  int good_assets_ = 0;
};

TEST_F(WorkerE2eTest, OnceRendersEveryGoodAssetAndRecordsTheCorruptOne) {
  start(3);
  WorkRun run = work({"--once", "--json", "-j", "2"});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // one asset failed
  EXPECT_NE(run.err.find("corrupt"), std::string::npos) << run.err;
  auto listing = missing();
  ASSERT_EQ(listing["assets"].size(), 1u) << listing.dump();
  const auto& left = listing["assets"][0];
  EXPECT_NE(left["url"].get<std::string>().find("corrupt"), std::string::npos);
  if (left.contains("thumbnail_state")) {  // the claim protocol's extra fields
    EXPECT_EQ(left["thumbnail_state"], "dead") << left.dump();
    EXPECT_FALSE(left["thumbnail_last_error"].get<std::string>().empty()) << left.dump();
  }
  // --json: one record per asset, the failure with its reason, and the summary.
  int ok = 0, failed = 0;
  std::stringstream lines(run.out);
  for (std::string text; std::getline(lines, text);) {
    auto record = nlohmann::json::parse(text, nullptr, false);
    if (record.value("status", "") == "ok") ++ok;
    if (record.value("status", "") == "failed") {
      ++failed;
      EXPECT_FALSE(record.value("reason", "").empty());
    }
  }
  EXPECT_EQ(ok, good_assets_);
  EXPECT_EQ(failed, 1);
  // Each completion is a real stored thumbnail the server serves.
  auto completes = requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200);
  auto uploads = requests("/api/v1/admin/assets/[^ ]+/thumbnail", 200);
  EXPECT_EQ(static_cast<int>(completes.size() + uploads.size()), good_assets_) << server_.log();
}

TEST_F(WorkerE2eTest, CompatibilityModeUploadsAndKeepsItsOwnFailedList) {
  start(2);
  WorkRun run = work({"--once", "--compat"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("duplicate work"), std::string::npos) << run.err;  // the warning
  EXPECT_EQ(missing()["assets"].size(), 1u);
  EXPECT_EQ(requests("/api/v1/admin/assets/[^ /]+/thumbnail", 200).size(), static_cast<std::size_t>(good_assets_));
  EXPECT_EQ(requests("/api/v1/admin/assets/[^ /]+/thumbnail-failure", 200).size(), 1u);
  EXPECT_TRUE(requests("/api/v1/admin/thumbnail-jobs/[^ ]+", 200).empty());  // nothing claimed

  // A second run skips the asset on its failed list: nothing rendered, nothing reported again.
  WorkRun again = work({"--once", "--compat"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto failures = requests("/api/v1/admin/assets/[^ /]+/thumbnail-failure", 200);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures.begin()->second, 1);
}

TEST_F(WorkerE2eTest, WrongCredentialsGiveOneClearErrorAndExitThree) {
  start(1);
  WorkRun bad_password = work({"--once"}, "not-the-password");
  EXPECT_EQ(bad_password.exit_code, 3) << bad_password.err;
  EXPECT_NE(bad_password.err.find("Invalid credentials"), std::string::npos) << bad_password.err;
  EXPECT_LT(bad_password.seconds, 10);
  EXPECT_EQ(settled_count("/api/v1/login/jwt", 401, 1), 1) << server_.log();  // no retry storm

  auto args = work_args({"--once"});
  args[4] = "--token";  // replaces --user
  args[5] = "not.a.token";
  auto started = std::chrono::steady_clock::now();
  auto result = test::run_process(args);
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("Invalid or expired token"), std::string::npos) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // The bad login above + one request with the bad token.
  EXPECT_EQ(settled_count("[^ ]+", 401, 2), 2) << server_.log();
}

TEST_F(WorkerE2eTest, TwoWorkersThumbnailEveryAssetExactlyOnce) {
  start(16);
  WorkRun first, second;
  std::thread a([&] { first = work({"--once", "--batch", "3", "-j", "1"}); });
  std::thread b([&] { second = work({"--once", "--batch", "3", "-j", "1"}); });
  a.join();
  b.join();
  EXPECT_EQ(first.exit_code == 0 || first.exit_code == 1, true) << first.err;
  EXPECT_EQ(second.exit_code == 0 || second.exit_code == 1, true) << second.err;
  EXPECT_EQ(missing()["assets"].size(), 1u);  // only the corrupt one
  auto completes = requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200);
  EXPECT_EQ(static_cast<int>(completes.size()), good_assets_);
  for (const auto& [path, count] : completes) EXPECT_EQ(count, 1) << path;
  EXPECT_TRUE(requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 409).empty());
}

// A worker process started in the background with the test user's password, its stderr in a file.
class BackgroundWorker {
 public:
  BackgroundWorker(const std::vector<std::string>& args, const fs::path& log) : log_(log) {
    std::vector<std::string> environment{std::string("THUMBGEN_PASSWORD=") + kPassword};
    for (char** e = environ; *e; ++e) environment.emplace_back(*e);  // the first THUMBGEN_PASSWORD wins
    std::vector<char*> envp;
    for (std::string& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      std::vector<char*> argv;
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~BackgroundWorker() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // SIGSTOP returns once the worker has stopped (kill() only queues the signal: it could still log a line).
  void signal(int number) {
    ::kill(pid_, number);
    if (number == SIGSTOP) {
      int status = 0;
      ::waitpid(pid_, &status, WUNTRACED);
    }
  }
  int wait(std::chrono::seconds limit = std::chrono::seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  int count(const std::string& word) const {
    std::string text = log();
    int n = 0;
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
    return n;
  }
  bool wait_for(const std::string& word, int times, std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (count(word) < times) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
};

TEST_F(WorkerE2eTest, PauseAndResumeWithSignals) {
  start(12);
  // Large renders keep the worker busy long enough to pause it mid-run.
  auto args = work_args({"--once", "-j", "1"}, "1024x1024");
  BackgroundWorker worker(args, server_.data().parent_path() / "worker.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  worker.signal(SIGUSR1);
  ASSERT_TRUE(worker.wait_for("paused", 1)) << worker.log();
  int done_when_paused = worker.count("ok ");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // While paused the render running at the pause ends, and the uploads of renders that ended before it still land
  // ("ok" is logged when the upload is answered, from the network thread: on a loaded machine several can be queued
  // behind a 30 ms render, so their number is not bounded here); after that nothing moves.
  const int settled = worker.count("ok ");
  EXPECT_GE(settled, done_when_paused);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(worker.count("ok "), settled) << worker.log();
  EXPECT_GT(static_cast<int>(missing()["assets"].size()), 1);
  worker.signal(SIGUSR2);
  EXPECT_EQ(worker.wait(), 1) << worker.log();  // the corrupt one failed
  EXPECT_NE(worker.log().find("resumed"), std::string::npos);
  EXPECT_EQ(missing()["assets"].size(), 1u) << worker.log();
}

TEST_F(WorkerE2eTest, KilledWorkersJobsAreReclaimedAfterTheLease) {
  start(8, {"THUMBGEN_MIN_LEASE_SECONDS=1"});
  // One worker claims everything (one batch) and is killed after its first thumbnail.
  BackgroundWorker doomed(work_args({"--once", "-j", "1", "--lease", "2"}, "1024x1024"),
                          server_.data().parent_path() / "doomed.log");
  ASSERT_TRUE(doomed.wait_for("ok ", 1)) << doomed.log();
  doomed.signal(SIGKILL);
  doomed.wait();
  int completed_before = static_cast<int>(requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200).size());
  ASSERT_LT(completed_before, good_assets_) << "the worker finished before it could be killed";
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the lease runs out
  WorkRun rescue = work({"--once"});
  EXPECT_TRUE(rescue.exit_code == 0 || rescue.exit_code == 1) << rescue.err;  // 1 if the corrupt one was left to it
  EXPECT_NE(rescue.err.find("ok "), std::string::npos) << rescue.err;
  EXPECT_EQ(missing()["assets"].size(), 1u) << rescue.err;
  auto completes = requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200);
  EXPECT_EQ(static_cast<int>(completes.size()), good_assets_);
  for (const auto& [path, count] : completes) EXPECT_EQ(count, 1) << path;
}

}  // namespace
}  // namespace thumbgen

namespace thumbgen {
namespace {

TEST_F(WorkerE2eTest, SigtermReleasesTheClaimedJobsWithoutCostingAnAttempt) {
  start(10);
  BackgroundWorker worker(work_args({"--once", "-j", "1"}, "1024x1024"), server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(), 0) << worker.log();
  EXPECT_EQ(stats().value("leased", -1), 0);  // nothing left held by the stopped worker
  EXPECT_FALSE(requests("/api/v1/admin/thumbnail-jobs/[0-9]+/release", 200).empty()) << server_.log();
  // Released jobs are queued untried: no attempt counted, no backoff.
  auto listing = missing();
  ASSERT_GT(listing["assets"].size(), 1u) << worker.log();
  int released = 0;
  for (const auto& asset : listing["assets"]) {
    if (asset.value("thumbnail_state", "") != "queued") continue;
    ++released;
    EXPECT_EQ(asset.value("thumbnail_attempts", -1), 0) << asset.dump();
  }
  EXPECT_GT(released, 0) << listing.dump();
  // So another worker takes them at once (a 60 s backoff would leave them to a later run).
  WorkRun next = work({"--once"});
  EXPECT_TRUE(next.exit_code == 0 || next.exit_code == 1) << next.err;
  EXPECT_EQ(missing()["assets"].size(), 1u) << next.err;
}

TEST_F(WorkerE2eTest, ControlFileSkipsTheCurrentAsset) {
  start(6);
  fs::path control = server_.data().parent_path() / "control";
  write_file(control, "");
  BackgroundWorker worker(work_args({"--once", "-j", "1", "--control", control.string()}, "1024x1024"),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  write_file(control, "skip\n");
  EXPECT_EQ(worker.wait(), 1) << worker.log();
  EXPECT_EQ(worker.count("skipped by operator"), 1) << worker.log();
  EXPECT_EQ(fs::file_size(control), 0u);  // consumed
  // The skipped asset is dead with its reason; only it and the corrupt one are left.
  auto listing = missing();
  EXPECT_EQ(listing["assets"].size(), 2u) << listing.dump();
}

}  // namespace
}  // namespace thumbgen

namespace thumbgen {
namespace {

TEST_F(WorkerE2eTest, ServerCancelSkipsTheAssetsOfTheLease) {
  start(16, {"THUMBGEN_MIN_LEASE_SECONDS=1"});
  // A 3 s lease: heartbeats every second, so the cancel is seen within a render or two.
  BackgroundWorker worker(work_args({"--once", "-j", "1", "--lease", "3"}, "2048x2048"),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  std::string bearer = "Bearer " + token();
  int cancelled = 0;
  for (int job = 1; job <= 20; ++job) {
    auto result = http_request(server_.port(), "POST", "/api/v1/admin/thumbnail-jobs/" + std::to_string(job) + "/skip",
                               "{}", {{"Authorization", bearer}});
    cancelled += result.status == 200;
  }
  ASSERT_GT(cancelled, 0) << "the worker finished before the cancel";
  EXPECT_EQ(worker.wait(), 1) << worker.log();
  EXPECT_GE(worker.count("skipped by admin"), 1) << worker.log();
}

}  // namespace
}  // namespace thumbgen

namespace thumbgen {
namespace {

TEST_F(WorkerE2eTest, ControlFileSkipWhilePausedSkipsNothing) {
  start(6);
  fs::path control = server_.data().parent_path() / "control";
  write_file(control, "");
  BackgroundWorker worker(work_args({"--once", "-j", "1", "--control", control.string()}, "1024x1024"),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  worker.signal(SIGUSR1);
  ASSERT_TRUE(worker.wait_for("paused", 1)) << worker.log();
  // Paused: nothing renders, so there is nothing to skip (the next asset must not pay for it).
  write_file(control, "skip\n");
  ASSERT_TRUE(wait_until([&] { return fs::file_size(control) == 0; })) << worker.log();
  ASSERT_TRUE(worker.wait_for("no asset is being rendered", 1)) << worker.log();
  worker.signal(SIGUSR2);
  EXPECT_EQ(worker.wait(), 1) << worker.log();  // the corrupt one
  EXPECT_EQ(worker.count("skipped by operator"), 0) << worker.log();
  EXPECT_EQ(missing()["assets"].size(), 1u) << worker.log();
}

TEST_F(WorkerE2eTest, ControlFileSkipActsOnTheRendersRunningNow) {
  start(16);
  fs::path control = server_.data().parent_path() / "control";
  write_file(control, "");
  BackgroundWorker worker(work_args({"--once", "-j", "2", "--control", control.string()}, "2048x2048"),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  write_file(control, "skip\n");
  // Emptied once the renders running now are marked.
  ASSERT_TRUE(wait_until([&] { return fs::file_size(control) == 0; })) << worker.log();
  int ok_when_marked = worker.count("ok ");
  EXPECT_EQ(worker.wait(), 1) << worker.log();
  std::string log = worker.log();
  int skipped = occurrences(log, "skipped by operator");
  EXPECT_GE(skipped, 1) << log;
  EXPECT_LE(skipped, 2) << log;  // one per render process at most
  // Within one asset's time: uploads log "ok" from a background thread, so renders that ended before the marks
  // (at most one per render process) may still log theirs first; nothing started after the marks may.
  std::size_t first_skip = log.find("skipped by operator");
  ASSERT_NE(first_skip, std::string::npos);
  EXPECT_LE(occurrences(log.substr(0, first_skip), "ok "), ok_when_marked + 2) << log;
  EXPECT_EQ(static_cast<int>(missing()["assets"].size()), skipped + 1) << log;
}

TEST_F(WorkerE2eTest, ServerRestartedMidRunTheWorkerRetriesAndTheRunCompletes) {
  start(24);
  // Small batches: the worker needs the server again soon after any point of the run.
  BackgroundWorker worker(work_args({"--once", "-j", "1", "--batch", "2"}, "2048x2048"),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("ok ", 1)) << worker.log();
  EXPECT_EQ(server_.stop(SIGTERM), 0) << server_.log();
  // The worker sees the server gone and backs off (it has at least 30 s before it gives up)...
  ASSERT_TRUE(worker.wait_for("server unreachable", 1, std::chrono::seconds(120))) << worker.log();
  server_.restart();                                                     // same port, same data
  EXPECT_EQ(worker.wait(std::chrono::seconds(300)), 1) << worker.log();  // 1: the corrupt asset
  EXPECT_NE(worker.log().find("retrying in"), std::string::npos) << worker.log();
  // ...and every good asset got its thumbnail exactly once.
  EXPECT_EQ(missing()["assets"].size(), 1u) << worker.log();
  auto completes = requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200);
  EXPECT_EQ(static_cast<int>(completes.size()), good_assets_) << server_.log();
  for (const auto& [path, count] : completes) EXPECT_EQ(count, 1) << path;
  EXPECT_TRUE(requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 409).empty()) << server_.log();
}

TEST_F(WorkerE2eTest, ModelDownloadsRideOutTheirFileServerBeingDown) {
  // The models live on a second server (a gallery whose files are served elsewhere). It is down when the worker
  // first asks for them and comes back while the worker waits to try again: no asset may fail for that.
  ServerProcess files;
  ASSERT_EQ(files.add_user("admin", kPassword, true), 0);
  write_models(models_, 1);
  ASSERT_EQ(files.import({models_.string()}), 0);
  files.start();
  auto login = http_request(files.port(), "POST", "/api/v1/login/jwt",
                            nlohmann::json{{"username", "admin"}, {"password", kPassword}}.dump());
  auto listing = http_request(files.port(), "GET", "/api/v1/admin/assets/missing-thumbnails?limit=100", "",
                              {{"Authorization", "Bearer " + login.json().value("access_token", "")}});
  const fs::path catalogue = server_.data().parent_path() / "catalogue.json";
  write_file(catalogue, listing.json()["assets"].dump());
  ASSERT_EQ(server_.import({"--json", catalogue.string()}), 0);
  ASSERT_EQ(files.stop(SIGTERM), 0) << files.log();
  server_.start();
  good_assets_ = 3;

  // Another port of this host is another host: allowed explicitly.
  BackgroundWorker worker(work_args({"--once", "-j", "1", "--allow-host", "127.0.0.1:" + std::to_string(files.port())}),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("retrying in", 1, std::chrono::seconds(60))) << worker.log();
  files.restart();
  EXPECT_EQ(worker.wait(std::chrono::seconds(120)), 1) << worker.log();  // 1: the corrupt asset
  EXPECT_EQ(missing()["assets"].size(), 1u) << worker.log();
  EXPECT_EQ(total("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200), good_assets_) << server_.log();
  EXPECT_EQ(total("/api/v1/admin/thumbnail-jobs/[0-9]+/fail", 200), 1) << worker.log();  // the corrupt asset only
}

TEST_F(WorkerE2eTest, AStalledWorkersLateResultIsRejectedByFencing) {
  start(16, {"THUMBGEN_MIN_LEASE_SECONDS=1"});
  // One batch holds every job under a 2 s lease.
  BackgroundWorker stalled(work_args({"--once", "-j", "1", "--lease", "2"}, "2048x2048"),
                           server_.data().parent_path() / "stalled.log");
  ASSERT_TRUE(stalled.wait_for("ok ", 1)) << stalled.log();
  stalled.signal(SIGSTOP);  // its render process goes on and finishes the asset it has
  int ok_before = stalled.count("ok ");
  ASSERT_LT(total("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200), good_assets_) << "finished too early";
  // No heartbeats: the leases lapse, and another worker takes every job over.
  ASSERT_TRUE(wait_until([&] { return stats().value("leased", -1) == 0; })) << stats().dump();
  WorkRun rescue = work({"--once"});
  EXPECT_TRUE(rescue.exit_code == 0 || rescue.exit_code == 1) << rescue.err;
  EXPECT_EQ(missing()["assets"].size(), 1u) << rescue.err;

  stalled.signal(SIGCONT);
  int code = stalled.wait(std::chrono::seconds(120));
  EXPECT_TRUE(code == 0 || code == 1) << stalled.log();
  std::string log = stalled.log();
  // Its late result is refused (stale fencing token) and dropped with a clear line; it renders no more of the
  // jobs it lost, and nothing it did after the stall counts. (One upload may have been answered while it was
  // stopped: that result, sent before the stall, is read and logged after it.)
  int dropped = occurrences(log, "taken over by another worker after its lease expired");
  EXPECT_GE(dropped, 1) << log;
  EXPECT_LE(dropped, 3) << log;
  EXPECT_LE(stalled.count("ok "), ok_before + 1) << log;
  EXPECT_GE(total("/api/v1/admin/thumbnail-jobs/[0-9]+/(complete|heartbeat)", 409), 1) << server_.log();
  auto completes = requests("/api/v1/admin/thumbnail-jobs/[0-9]+/complete", 200);
  EXPECT_EQ(static_cast<int>(completes.size()), good_assets_) << server_.log();
  for (const auto& [path, count] : completes) EXPECT_EQ(count, 1) << path;
}

// Seconds since midnight of a server log line's "[YYYY-MM-DD HH:MM:SS.mmm]" stamp; -1 without one.
double log_seconds(const std::string& line) {
  std::smatch stamp;
  static const std::regex pattern(R"(\[\d{4}-\d{2}-\d{2} (\d{2}):(\d{2}):(\d{2}\.\d+)\])");
  if (!std::regex_search(line, stamp, pattern)) return -1;
  return std::stoi(stamp[1]) * 3600 + std::stoi(stamp[2]) * 60 + std::stod(stamp[3]);
}

TEST_F(WorkerE2eTest, TheWorkerRenewsItsTokenBeforeItExpires) {
  // The shortest token lifetime the server allows (60 s); the worker logs in again a fifth of it early.
  start(2, {"THUMBGEN_TOKEN_TTL=60"});
  BackgroundWorker worker(work_args({"--watch", "--poll", "2", "-j", "1"}), server_.data().parent_path() / "w.log");
  auto logins = [&] {
    std::vector<double> times;
    std::stringstream lines(server_.log());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("path=/api/v1/login/jwt status=200 ") != std::string::npos) times.push_back(log_seconds(line));
    }
    return times;
  };
  ASSERT_TRUE(wait_until([&] { return logins().size() >= 2; }, std::chrono::seconds(150))) << worker.log();
  auto times = logins();
  double renewed_after = times[1] - times[0];
  if (renewed_after < 0) renewed_after += 24 * 3600;  // across midnight
  EXPECT_LT(renewed_after, 60) << server_.log();
  EXPECT_GT(renewed_after, 30) << server_.log();  // not a login per request either

  // The renewed token works: re-queue the corrupt asset and watch the worker fail it again.
  auto retried = http_request(server_.port(), "POST", "/api/v1/admin/thumbnail-jobs/retry-failed", "{}",
                              {{"Authorization", "Bearer " + token()}});
  ASSERT_EQ(retried.json().value("requeued", 0), 1) << retried.body;
  EXPECT_TRUE(wait_until([&] { return total("/api/v1/admin/thumbnail-jobs/[0-9]+/fail", 200) >= 2; })) << worker.log();
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(), 0) << worker.log();
  EXPECT_EQ(total("[^ ]+", 401), 0) << server_.log();  // never an expired token sent
  EXPECT_EQ(missing()["assets"].size(), 1u);
}

// Issue 14: `work --metrics-listen` after real renders, and one asset's story followed across both logs (JSON) by
// its correlation id.
TEST_F(WorkerE2eTest, MetricsAndJsonLogsFollowEachAssetAcrossMachines) {
  const std::string scrape_token(40, 'm');
  start(1, {"THUMBGEN_LOG_FORMAT=json", "THUMBGEN_METRICS_TOKEN=" + scrape_token, "THUMBGEN_METRICS_LISTEN=off"});
  BackgroundWorker worker(work_args({"--watch", "--poll", "2", "-j", "1", "--metrics-listen", ":0", "--metrics-host",
                                     "scraper.internal", "--log-format", "json"}),
                          server_.data().parent_path() / "w.log");
  ASSERT_TRUE(worker.wait_for("\"job completed\"", good_assets_, std::chrono::seconds(120))) << worker.log();
  ASSERT_TRUE(worker.wait_for("\"job failed\"", 1)) << worker.log();

  std::smatch found;
  const std::string worker_log = worker.log();
  ASSERT_TRUE(std::regex_search(worker_log, found, std::regex(R"(metrics on (http://\S+) \(port (\d+)\))")))
      << worker_log;
  auto port = static_cast<unsigned short>(std::stoi(found[2]));
  test::expect_metrics_listener_on_loopback_only(found[1], port);  // ":0" is loopback, not every interface
  test::HttpResult scrape = http_request(port, "GET", "/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  EXPECT_EQ(scrape.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  test::PrometheusText text = test::parse_prometheus_text(scrape.body);
  EXPECT_EQ(text.value("thumbgen_worker_renders_total"), good_assets_);
  EXPECT_EQ(text.value(R"(thumbgen_worker_failures_total{reason="load"})"), 1);  // the corrupt GLB
  EXPECT_EQ(text.value(R"(thumbgen_worker_failures_total{reason="crash"})"), 0);
  EXPECT_EQ(text.types.at("thumbgen_worker_render_duration_seconds"), "histogram");
  EXPECT_EQ(text.value("thumbgen_worker_render_duration_seconds_count"), good_assets_);
  EXPECT_GT(text.value("thumbgen_worker_render_duration_seconds_sum"), 0);
  EXPECT_EQ(text.value("thumbgen_worker_upload_duration_seconds_count"), good_assets_);
  EXPECT_EQ(text.value("thumbgen_worker_render_process_restarts_total"), 0);
  // The listener `serve` has too: /metrics only, to a loopback, bound or --metrics-host Host only.
  test::expect_metrics_listener_rules(port, "scraper.internal");

  // The server counted the render times the worker reported.
  auto server_metrics = test::parse_prometheus_text(
      http_request(server_.port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + scrape_token}}).body);
  EXPECT_EQ(server_metrics.value("thumbgen_render_duration_seconds_count"), good_assets_);

  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(), 0) << worker.log();

  // Both logs are JSON lines; each completed job's correlation id leads from the worker's line to the server's
  // request line and job event, with the same job and asset.
  auto parse_lines = [](const std::string& log) {
    std::vector<nlohmann::json> lines;
    std::stringstream in(log);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      EXPECT_TRUE(parsed.is_object()) << line;
      if (parsed.is_object()) lines.push_back(std::move(parsed));
    }
    return lines;
  };
  const auto worker_lines = parse_lines(worker.log());
  const auto server_lines = parse_lines(server_.log());
  int followed = 0;
  for (const auto& done : worker_lines) {
    if (done.value("msg", "") != "job completed") continue;
    const std::string correlation = done.value("correlation_id", "");
    ASSERT_TRUE(std::regex_match(correlation, std::regex(R"([0-9a-f]{16}\.[0-9]+)"))) << done.dump();
    EXPECT_EQ(correlation.substr(correlation.find('.') + 1), done.value("job", "")) << done.dump();
    EXPECT_GT(done.value("render_seconds", 0.0), 0) << done.dump();
    bool request_seen = false, event_seen = false, claim_seen = false;
    for (const auto& line : server_lines) {
      if (line.value("msg", "") == "request" && line.value("correlation_id", "") == correlation &&
          line.value("route", "") == "/api/v1/admin/thumbnail-jobs/{job}/complete") {
        request_seen = line.value("status", 0) == 200;
      }
      if (line.value("msg", "") == "job completed" && line.value("correlation_id", "") == correlation) {
        event_seen =
            line.value("asset", "") == done.value("asset", "") && line.value("job", "") == done.value("job", "");
      }
      // The claim's own request id is the correlation id's first half.
      if (line.value("msg", "") == "job claimed" && line.value("job", "") == done.value("job", "")) {
        claim_seen = correlation.starts_with(line.value("request_id", "?") + ".");
      }
    }
    EXPECT_TRUE(request_seen && event_seen && claim_seen) << correlation << "\n" << server_.log();
    ++followed;
  }
  EXPECT_EQ(followed, good_assets_);
}

}  // namespace
}  // namespace thumbgen
