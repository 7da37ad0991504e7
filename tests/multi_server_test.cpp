// Several `thumbgen serve` processes behind Debian's nginx, run with the README's config (deploy/nginx/thumbgen.conf,
// only addresses, ports and fail_timeout replaced): both servers share one catalogue and one keys file, so a token from
// one works on the other; nginx's passive health checks carry requests past a killed server; its body limit refuses an
// oversized upload; X-Forwarded-For names the client (THUMBGEN_TRUSTED_PROXIES) and a client cannot forge it; the
// login limits hold across the servers: they are counted in the shared catalogue (SQLite here, PostgreSQL below).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "support/http_client.h"
#include "support/scratch_dir.h"
#include "support/server_login.h"
#include "support/server_process.h"
#include "support/test_database.h"

extern char** environ;

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::HttpResult;
using test::ServerProcess;

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr int kFailTimeout = 1;
const std::string kLogin = "/api/v1/login/jwt";

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A port nothing listens on now (the kernel's choice; nginx binds it right after).
unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// nginx in the foreground with the repository's site config, its own prefix, logs and temp folders.
class NginxProcess {
 public:
  NginxProcess(const fs::path& folder, unsigned short listen_port, unsigned short server_a, unsigned short server_b)
      : folder_(folder), port_(listen_port) {
    std::string site = read_text(fs::path(THUMBGEN_SOURCE_DIR) / "deploy" / "nginx" / "thumbgen.conf");
    site = std::regex_replace(site, std::regex("127\\.0\\.0\\.1:8081"), "127.0.0.1:" + std::to_string(server_a));
    site = std::regex_replace(site, std::regex("127\\.0\\.0\\.1:8082"), "127.0.0.1:" + std::to_string(server_b));
    site = std::regex_replace(site, std::regex("listen 80;"), "listen 127.0.0.1:" + std::to_string(port_) + ";");
    // A server nginx saw fail is left out for fail_timeout: 1 s instead of 10 keeps the restart test short.
    site =
        std::regex_replace(site, std::regex("fail_timeout=10s"), "fail_timeout=" + std::to_string(kFailTimeout) + "s");
    std::ofstream(folder_ / "site.conf") << site;
    const std::string dir = folder_.string();
    std::ofstream(folder_ / "nginx.conf")
        << "daemon off;\nworker_processes 1;\npid " << dir << "/nginx.pid;\nerror_log " << dir << "/error.log info;\n"
        << (::geteuid() == 0 ? "user root root;\n" : "") << "events { worker_connections 256; }\nhttp {\n"
        << "  log_format upstreams '$remote_addr \"$request\" $status upstream=$upstream_addr $upstream_status';\n"
        << "  access_log " << dir << "/access.log upstreams;\n  client_body_temp_path " << dir << "/body;\n"
        << "  proxy_temp_path " << dir << "/proxy;\n  fastcgi_temp_path " << dir << "/fastcgi;\n"
        << "  uwsgi_temp_path " << dir << "/uwsgi;\n  scgi_temp_path " << dir << "/scgi;\n"
        << "  include " << dir << "/site.conf;\n}\n";
    const std::string config = (folder_ / "nginx.conf").string(), errors = (folder_ / "error.log").string();
    std::vector<std::string> args = {kNginx, "-p", dir, "-e", errors, "-c", config};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("cannot start nginx");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a test that dies never leaves nginx behind
      ::execve(kNginx, argv.data(), environ);
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      if (test::http_request(port_, "GET", "/healthz", "", {}, std::chrono::milliseconds(500)).status > 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("nginx did not start: " + read_text(folder_ / "error.log"));
  }
  ~NginxProcess() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  unsigned short port() const { return port_; }
  std::string access_log() const { return read_text(folder_ / "access.log"); }
  std::string error_log() const { return access_log() + read_text(folder_ / "error.log"); }

 private:
  fs::path folder_;
  unsigned short port_;
  pid_t pid_ = -1;
};

std::string credentials(const std::string& user, const std::string& password) {
  return nlohmann::json{{"username", user}, {"password", password}}.dump();
}

class MultiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kNginx)) << "nginx is missing: scripts/deps.sh installs it";
    ASSERT_EQ(a_.add_user("admin", "admin-password", true), 0);
    front_port_ = free_port();
    env_ = {"THUMBGEN_TRUSTED_PROXIES=127.0.0.1", "THUMBGEN_METRICS_LISTEN=off",
            "THUMBGEN_PUBLIC_URL=http://127.0.0.1:" + std::to_string(front_port_), "THUMBGEN_LOGIN_MAX_FAILURES=4",
            "THUMBGEN_KEYS_FILE=" + (keys_dir_ / "jwt.keys").string()};
    a_.start({}, env_);
    b_.start({}, env_);
    nginx_ = std::make_unique<NginxProcess>(nginx_dir_.path(), front_port_, a_.port(), b_.port());
  }
  void TearDown() override { nginx_.reset(); }

  HttpResult front(const std::string& method, const std::string& target, const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {}, const std::string& from = "127.0.0.2") {
    return test::http_request_from(from, nginx_->port(), method, target, body, headers);
  }

  test::ScratchDir keys_dir_{"thumbgen-shared-keys"}, nginx_dir_{"thumbgen-nginx"};
  ServerProcess a_;
  ServerProcess b_{a_.data()};  // the same catalogue
  unsigned short front_port_ = 0;
  std::vector<std::string> env_;
  std::unique_ptr<NginxProcess> nginx_;
};

TEST_F(MultiServerTest, ATokenFromOneServerWorksOnTheOther) {
  const std::string token = test::login_token(a_.port(), "admin", "admin-password");
  ASSERT_FALSE(token.empty()) << a_.log();
  for (unsigned short port : {a_.port(), b_.port(), nginx_->port()}) {
    HttpResult missing =
        test::http_request(port, "GET", "/api/v1/admin/assets/missing-thumbnails", "", test::bearer(token));
    EXPECT_EQ(missing.status, 200) << "port " << port << ": " << missing.body;
  }
  // A user added through one server's catalogue logs in through the other.
  ASSERT_EQ(a_.add_user("second", "second-password", false), 0);
  EXPECT_FALSE(test::login_token(b_.port(), "second", "second-password").empty()) << b_.log();
}

TEST_F(MultiServerTest, RequestsGoOnWhenAServerIsKilled) {
  const std::string token = test::login_token(nginx_->port(), "admin", "admin-password");
  ASSERT_FALSE(token.empty());
  for (ServerProcess* victim : {&a_, &b_}) {
    victim->stop(SIGKILL);
    for (int i = 0; i < 12; ++i) {
      HttpResult listing = front("GET", "/api/v1/admin/assets/missing-thumbnails", "", test::bearer(token));
      EXPECT_EQ(listing.status, 200) << "request " << i << ": " << listing.body << "\n" << nginx_->error_log();
    }
    HttpResult login = front("POST", kLogin, credentials("admin", "admin-password"));
    EXPECT_EQ(login.status, 200) << login.body;  // a POST is carried past the dead server too (never sent to it)
    const std::size_t seen = nginx_->access_log().size();
    victim->restart({}, env_);
    // nginx takes the restarted server back once its fail_timeout has passed: requests until one reaches it (nginx's
    // access log names the upstream), so the other server is not killed while nginx still counts this one out.
    const std::string answered_by = "upstream=127.0.0.1:" + std::to_string(victim->port()) + " 200";
    bool back = false;
    for (int i = 0; i < 200 && !back; ++i) {
      front("GET", "/healthz");
      back = nginx_->access_log().find(answered_by, seen) != std::string::npos;
      if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(back) << "nginx never sent a request to the restarted server\n" << nginx_->error_log();
  }
}

TEST_F(MultiServerTest, NginxRefusesAnOversizedBodyBeforeAnyServer) {
  const std::string token = test::login_token(nginx_->port(), "admin", "admin-password");
  HttpResult refused = front("POST", "/api/v1/admin/assets/1/thumbnail", std::string(25 << 20, 'x'),
                             {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  EXPECT_EQ(refused.status, 413) << refused.body;
  EXPECT_NE(refused.body.find("nginx"), std::string::npos) << "not nginx's refusal: " << refused.body;
}

// Failures through nginx count against the client's own address, as X-Forwarded-For names it: a client that sends
// its own X-Forwarded-For does not get out of its limit, and another client is not limited with it. (The servers
// count failures in their shared catalogue: nginx alternates between them, and 4 failures reach the limit of 4.)
TEST_F(MultiServerTest, TheClientAddressComesFromNginxAndCannotBeForged) {
  for (int i = 0; i < 4; ++i) {
    HttpResult guess = front("POST", kLogin, credentials("admin", "wrong-password"),
                             {{"X-Forwarded-For", "198.51.100." + std::to_string(i)}});
    EXPECT_EQ(guess.status, 401) << guess.body;
  }
  HttpResult refused = front("POST", kLogin, credentials("admin", "admin-password"), {});
  EXPECT_EQ(refused.status, 429) << "forged X-Forwarded-For headers escaped the limit: " << refused.body;
  HttpResult elsewhere = front("POST", kLogin, credentials("admin", "admin-password"), {}, "127.0.0.3");
  EXPECT_EQ(elsewhere.status, 200) << elsewhere.body;
}

// The login rate limit of the front holds across both servers: a burst from one client is cut off by nginx
// whichever server would have answered, while another client logs in.
TEST_F(MultiServerTest, TheFrontLimitsLoginAttemptsAcrossServers) {
  int limited = 0;
  for (int i = 0; i < 20; ++i) {
    HttpResult attempt = front("POST", kLogin, credentials("nobody-" + std::to_string(i), "x"), {}, "127.0.0.4");
    if (attempt.status == 429 && attempt.body.find("nginx") != std::string::npos) ++limited;
  }
  EXPECT_GE(limited, 4) << "nginx's limit_req did not cut the burst off";
  EXPECT_EQ(front("POST", kLogin, credentials("admin", "admin-password"), {}, "127.0.0.5").status, 200);
}

// Two servers on one PostgreSQL catalogue, reached directly (no front counts for them): the login limits are the
// catalogue's, so failures spread across both servers lock the pair out on both.
class TwoServersOnPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_.use_database(database_.setting());
    b_.use_database(database_.setting());
    ASSERT_EQ(a_.add_user("admin", "admin-password", true), 0);
    const std::vector<std::string> env = {"THUMBGEN_METRICS_LISTEN=off", "THUMBGEN_LOGIN_MAX_FAILURES=4",
                                          "THUMBGEN_KEYS_FILE=" + (keys_dir_.path() / "jwt.keys").string()};
    a_.start({}, env);
    b_.start({}, env);
  }
  HttpResult login_from(const ServerProcess& server, const std::string& source, const std::string& password) {
    return test::http_request_from(source, server.port(), "POST", kLogin, credentials("admin", password));
  }

  test::ScratchDir keys_dir_{"thumbgen-shared-keys"};
  test::TestDatabase database_{test::Backend::Postgres, keys_dir_.path()};
  ServerProcess a_;
  ServerProcess b_{a_.data()};  // the same media folder
};

TEST_F(TwoServersOnPostgresTest, FailuresSpreadAcrossBothServersLockThePairOutOnBoth) {
  for (int i = 0; i < 4; ++i) {
    HttpResult guess = login_from(i % 2 ? b_ : a_, "127.0.0.2", "wrong-password");
    EXPECT_EQ(guess.status, 401) << guess.body;
  }
  for (const ServerProcess* server : {&a_, &b_}) {
    HttpResult refused = login_from(*server, "127.0.0.2", "admin-password");
    EXPECT_EQ(refused.status, 429) << "port " << server->port() << ": " << refused.body;
    EXPECT_FALSE(refused.header("retry-after").empty());
    // Never the user alone: the admin elsewhere logs in through either server.
    EXPECT_EQ(login_from(*server, "127.0.0.3", "admin-password").status, 200) << server->log();
  }
}

// Guesses sent to both servers at once: each server's transaction holds the address while it counts, so across the
// pair no more than the limit get as far as a password check (each server counting alone would let 4 through each).
TEST_F(TwoServersOnPostgresTest, ConcurrentGuessesThroughBothServersGetNoMoreThanTheLimit) {
  std::atomic<int> unauthorized{0}, limited{0}, other{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < 16; ++i) {
    guessers.emplace_back([&, i] {
      const int status = login_from(i % 2 ? b_ : a_, "127.0.0.4", "wrong-password-" + std::to_string(i)).status;
      ++(status == 401 ? unauthorized : status == 429 ? limited : other);
    });
  }
  for (std::thread& guesser : guessers) guesser.join();
  EXPECT_EQ(unauthorized.load(), 4);
  EXPECT_EQ(limited.load(), 12);
  EXPECT_EQ(other.load(), 0) << a_.log() << b_.log();
}

}  // namespace
}  // namespace thumbgen
