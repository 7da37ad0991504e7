// What a client can make the server hold before it has authenticated, over real HTTP against a real `thumbgen
// serve`: every route has its own body limit (413 before the body is sent), the bearer token is checked before
// any body byte is read, chunk lines and trailers are bounded, and the peak memory of the server stays flat under
// each of these attacks (issue 10, item 3).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/in_process_api.h"
#include "support/server_fixtures.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::http_request;
using test::HttpResult;
using test::raw_request;
using test::ServerProcess;

constexpr std::uint64_t kMiB = 1024 * 1024;
const std::string kUpload = "/api/v1/admin/assets/limits/thumbnail";
const std::string kLogin = "/api/v1/login/jwt";
const std::string kFailure = "/api/v1/admin/assets/limits/thumbnail-failure";
const std::string kScrapeToken = "scrape-token-0123456789abcdef0123456789abcdef";  // THUMBGEN_METRICS_TOKEN

// What a route asks for before it reads anything: nothing, a user's token (JWT) or the scrape token.
enum class Credential { None, Jwt, ScrapeToken };

// A memory figure of the server from /proc/PID/status ("VmHWM": the peak, "VmRSS": now), in bytes; 0 when gone.
std::uint64_t memory(pid_t pid, const std::string& key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(key + ":")) return std::stoull(line.substr(key.size() + 1)) * 1024;
  }
  return 0;
}

// Resets the server's peak to its resident memory now (proc(5), clear_refs "5"), so that the password hash run at
// start does not hide what an attack costs; returns that memory.
std::uint64_t reset_peak(pid_t pid) {
  std::ofstream("/proc/" + std::to_string(pid) + "/clear_refs") << "5";
  return memory(pid, "VmRSS");
}

std::string chunk(std::string_view data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

// `body` in chunks of `piece` bytes, with the last chunk.
std::string chunked(const std::string& body, std::size_t piece) {
  std::string out;
  for (std::size_t at = 0; at < body.size(); at += piece) out += chunk(std::string_view(body).substr(at, piece));
  return out + "0\r\n\r\n";
}

// A syntactically valid login body of about `size` bytes: parsing it is what once cost the server ~25 bytes of
// memory per body byte.
std::string padded_login(std::size_t size) {
  std::string body = R"({"username":"admin","password":"wrong","pad":[0)";
  body.reserve(size + 16);
  while (body.size() < size) body += ",0";
  return body + "]}";
}

class ServerRequestLimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ASSERT_EQ(server_->add_user("admin", "admin-password", true), 0);
    std::filesystem::create_directories(server_->data());
    {
      server::Catalogue catalogue(server_->data() / "catalogue.sqlite3", 1);
      catalogue.upsert_asset(test::test_asset("limits", 1));
    }
    // The default limits (24 MiB for uploads); /metrics on the main port with the scrape token.
    server_->start({}, {"THUMBGEN_METRICS_TOKEN=" + kScrapeToken, "THUMBGEN_METRICS_LISTEN=off"});
    token_ = http_request(server_->port(), "POST", kLogin, R"({"username":"admin","password":"admin-password"})")
                 .json()
                 .value("access_token", "");
    ASSERT_FALSE(token_.empty()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // A request head (ending in the blank line) with `extra` header lines.
  static std::string head(const std::string& method, const std::string& target, const std::string& extra) {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + extra +
           "\r\n";
  }
  static std::string bearer() { return "Authorization: Bearer " + token_ + "\r\n"; }
  // A good credential for the route (the user's token where it needs none: it changes nothing there).
  static std::string authorization(Credential credential) {
    return credential == Credential::ScrapeToken ? "Authorization: Bearer " + kScrapeToken + "\r\n" : bearer();
  }
  static std::string length(std::uint64_t bytes) { return "Content-Length: " + std::to_string(bytes) + "\r\n"; }
  static HttpResult send(const std::string& raw) { return raw_request(server_->port(), raw); }

  static ServerProcess* server_;
  static std::string token_;
};

ServerProcess* ServerRequestLimitsTest::server_ = nullptr;
std::string ServerRequestLimitsTest::token_;

// Only the head goes out: each answer must come without a single body byte.
TEST_F(ServerRequestLimitsTest, UnauthenticatedUploadGets401BeforeItsBodyIsSent) {
  for (const std::string& authorization : {std::string(), std::string("Authorization: Bearer not-a-token\r\n")}) {
    SCOPED_TRACE(authorization);
    HttpResult by_length = send(head("POST", kUpload, authorization + length(20'000'000)));
    EXPECT_EQ(by_length.status, 401) << by_length.body;
    EXPECT_EQ(by_length.header("connection"), "close");
    HttpResult by_chunks = send(head("POST", kUpload, authorization + "Transfer-Encoding: chunked\r\n"));
    EXPECT_EQ(by_chunks.status, 401) << by_chunks.body;
    // A client that waits for 100 Continue gets the 401 instead.
    HttpResult expecting = send(head("POST", kUpload, authorization + length(20'000'000) + "Expect: 100-continue\r\n"));
    EXPECT_EQ(expecting.status, 401) << expecting.body;
  }
}

TEST_F(ServerRequestLimitsTest, EachRouteRefusesABodyOverItsOwnLimitBeforeItIsSent) {
  struct Case {
    std::string method, target, extra;
    std::uint64_t bytes;
  };
  const std::vector<Case> cases = {
      {"POST", kLogin, "", 8 * kMiB},
      {"POST", kLogin, "", 64 * 1024},
      {"POST", "/api/v1/admin/thumbnail-jobs/claim", bearer(), kMiB},
      {"POST", kFailure, bearer(), kMiB},
      {"GET", "/healthz", "", 10},  // a route that takes no body
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.target + " " + std::to_string(test_case.bytes));
    HttpResult result = send(head(test_case.method, test_case.target, test_case.extra + length(test_case.bytes)));
    EXPECT_EQ(result.status, 413) << result.body;
    EXPECT_EQ(result.header("connection"), "close");
  }
}

// Every route of the server, with the body limit it declares (0: it takes no body) and the credential it needs
// (CoversEveryRouteOfTheRouterAndNoOther checks this list against the router).
struct RouteCase {
  std::string method, target;
  std::uint64_t limit;
  Credential credential;
};
const std::vector<RouteCase>& every_route() {
  const std::string jobs = "/api/v1/admin/thumbnail-jobs";
  static const std::vector<RouteCase> routes = {
      {"POST", kLogin, 8 * 1024, Credential::None},
      {"POST", "/api/v1/login/refresh", 1024, Credential::Jwt},
      {"POST", "/api/v1/login/logout-all", 1024, Credential::Jwt},
      {"GET", "/api/v1/admin/settings", 0, Credential::Jwt},
      {"GET", "/api/v1/admin/assets", 0, Credential::Jwt},
      {"GET", "/api/v1/admin/assets/missing-thumbnails", 0, Credential::Jwt},
      {"POST", kUpload, 24 * kMiB, Credential::Jwt},
      {"POST", kFailure, 16 * 1024, Credential::Jwt},
      {"PUT", "/api/v1/admin/assets/limits/camera", 4 * 1024, Credential::Jwt},
      {"PUT", "/api/v1/admin/assets/limits/orientation", 1024, Credential::Jwt},
      {"POST", "/api/v1/admin/selections", 4 * kMiB, Credential::Jwt},
      {"GET", "/api/v1/admin/selections/0123456789abcdef0123456789abcdef", 0, Credential::Jwt},
      {"POST", jobs, 256 * 1024, Credential::Jwt},
      {"POST", jobs + "/claim", 64 * 1024, Credential::Jwt},
      {"POST", jobs + "/retry-failed", 256 * 1024, Credential::Jwt},
      {"POST", jobs + "/regenerate", 256 * 1024, Credential::Jwt},
      {"GET", jobs + "/stats", 0, Credential::Jwt},
      {"POST", jobs + "/1/heartbeat", 4 * 1024, Credential::Jwt},
      {"POST", jobs + "/1/complete", 24 * kMiB, Credential::Jwt},
      {"POST", jobs + "/1/fail", 16 * 1024, Credential::Jwt},
      {"POST", jobs + "/1/skip", 4 * 1024, Credential::Jwt},
      {"POST", jobs + "/1/release", 4 * 1024, Credential::Jwt},
      {"GET", "/admin", 0, Credential::None},
      {"GET", "/admin/assets", 0, Credential::None},
      {"GET", "/media/thumbs/1/a.jpg", 0, Credential::None},
      {"GET", "/files/limits/model.glb", 0, Credential::None},
      {"GET", "/healthz", 0, Credential::None},
      {"GET", "/readyz", 0, Credential::None},
      {"GET", "/api/v1/openapi.json", 0, Credential::None},
      {"GET", "/metrics", 0, Credential::ScrapeToken},
  };
  return routes;
}

// The table above against the router itself: every route the server has is in it (a route added without its
// attack checks fails here), and every entry reaches a route (none is stale). The in-process router names the
// route that refuses each entry's head: a route with a credential refuses the missing one (401), any other the
// Content-Length one byte over the entry's limit (413).
TEST(ServerRequestLimitsTable, CoversEveryRouteOfTheRouterAndNoOther) {
  server::ApiSettings settings;
  settings.metrics_token = kScrapeToken;  // so that /metrics is there as on the test server
  test::InProcessApi server(settings);
  std::set<std::string> routes;
  for (const auto& route : server.api().routes())
    routes.insert(std::string(to_string(route.method)) + " " + route.pattern);
  ASSERT_GT(routes.size(), 20u);

  std::set<std::string> covered;
  std::string stale;
  for (const RouteCase& route : every_route()) {
    server::HttpRequest header(server::http::string_to_verb(route.method), route.target, 11);
    header.set(server::http::field::host, "127.0.0.1");
    header.set(server::http::field::content_type, "application/json");
    header.set(server::http::field::content_length, std::to_string(route.limit + 1));
    server::Admission admission = server.api().admit(header, "127.0.0.1");
    if (admission.refusal && !admission.refusal->route.empty()) {
      covered.insert(route.method + " " + admission.refusal->route);
    } else {
      stale += "\n  " + route.method + " " + route.target;
    }
  }
  // Routes deliberately left out of every_route(), each with its reason. None: the public and bodiless routes are
  // in it too (their limit is 0, and the Host check stands before them as before any other).
  const std::set<std::string> exempt = {};
  std::string missing;
  for (const std::string& route : routes) {
    if (!covered.contains(route) && !exempt.contains(route)) missing += "\n  " + route;
  }
  EXPECT_TRUE(missing.empty()) << "routes without attack checks in every_route():" << missing;
  EXPECT_TRUE(stale.empty()) << "entries of every_route() that no route takes:" << stale;
}

// Only the head goes out, with a body of its route's full limit announced: a bad token is 401 before any of it.
TEST_F(ServerRequestLimitsTest, EveryRouteWithATokenRefusesABadOneBeforeItsBody) {
  for (const RouteCase& route : every_route()) {
    if (route.credential == Credential::None) continue;
    SCOPED_TRACE(route.method + " " + route.target);
    HttpResult result = send(head(route.method, route.target, "Authorization: Bearer x.y.z\r\n" + length(route.limit)));
    EXPECT_EQ(result.status, 401) << result.body;
    EXPECT_EQ(result.json().value("detail", ""),
              route.credential == Credential::Jwt ? "Invalid or expired token" : "Scrape token required");
  }
}

TEST_F(ServerRequestLimitsTest, EveryRouteRefusesOneByteOverItsLimitBeforeItIsSent) {
  for (const RouteCase& route : every_route()) {
    SCOPED_TRACE(route.method + " " + route.target);
    HttpResult result =
        send(head(route.method, route.target, authorization(route.credential) + length(route.limit + 1)));
    EXPECT_EQ(result.status, 413) << result.body;
  }
}

// ...and lets a body of exactly its limit in (100 Continue; none is sent): the limits above are the routes' own,
// not merely larger ones.
TEST_F(ServerRequestLimitsTest, EveryRouteWithABodyLetsInExactlyItsLimit) {
  for (const RouteCase& route : every_route()) {
    if (route.limit == 0) continue;
    SCOPED_TRACE(route.method + " " + route.target);
    test::RawConnection connection(server_->port());
    ASSERT_TRUE(
        connection.send(head(route.method, route.target,
                             authorization(route.credential) + length(route.limit) + "Expect: 100-continue\r\n")));
    EXPECT_EQ(connection.read_response().status, 100);
  }
}

// Every route that takes a body takes JSON (curl's default and no type at all aside: server_api_test); the routes
// that take none are covered by the 413 above.
TEST_F(ServerRequestLimitsTest, EveryRouteWithABodyRefusesAnotherContentType) {
  for (const RouteCase& route : every_route()) {
    if (route.limit == 0) continue;
    SCOPED_TRACE(route.method + " " + route.target);
    HttpResult result =
        send(route.method + " " + route.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n" +
             authorization(route.credential) + length(2) + "\r\n{}");
    EXPECT_EQ(result.status, 415) << result.body;
  }
}

// The Host check (server_host_check_test) stands before every route, token or not.
TEST_F(ServerRequestLimitsTest, EveryRouteRefusesAForeignHost) {
  for (const RouteCase& route : every_route()) {
    SCOPED_TRACE(route.method + " " + route.target);
    HttpResult result = send(
        route.method + " " + route.target + " HTTP/1.1\r\nHost: rebound.example\r\nContent-Type: application/json\r\n" +
        authorization(route.credential) + length(route.limit == 0 ? 0 : 2) + "\r\n" + (route.limit == 0 ? "" : "{}"));
    EXPECT_EQ(result.status, 400) << result.body;
    EXPECT_EQ(result.json().value("detail", ""), "Invalid Host header");
  }
}

TEST_F(ServerRequestLimitsTest, BodiesWithinTheirLimitsStillWork) {
  HttpResult login =
      http_request(server_->port(), "POST", kLogin, R"({"username":"admin","password":"admin-password"})");
  EXPECT_EQ(login.status, 200) << login.body;
  HttpResult failure =
      http_request(server_->port(), "POST", kFailure, R"({"reason":")" + std::string(1500, 'r') + "\"}",
                   {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(failure.status, 200) << failure.body;
  // An upload far over the small limits, authenticated: accepted, also when the client waits for 100 Continue.
  std::string body =
      nlohmann::json{{"thumbnail_base64", test::base64(test::test_jpeg(90))}, {"note", std::string(100'000, 'n')}}
          .dump();
  ASSERT_GT(body.size(), 64u * 1024);
  EXPECT_EQ(http_request(server_->port(), "POST", kUpload, body, {{"Authorization", "Bearer " + token_}}).status, 200);
  test::RawConnection connection(server_->port());
  ASSERT_TRUE(connection.send(head("POST", kUpload, bearer() + length(body.size()) + "Expect: 100-continue\r\n")));
  EXPECT_EQ(connection.read_response().status, 100);
  ASSERT_TRUE(connection.send(body));
  EXPECT_EQ(connection.read_response().status, 200);
}

TEST_F(ServerRequestLimitsTest, ChunkedBodyCountsAgainstTheRouteLimit) {
  HttpResult result =
      send(head("POST", kLogin, "Transfer-Encoding: chunked\r\n") + chunked(padded_login(64 * 1024), 1024));
  EXPECT_EQ(result.status, 413) << result.body;
}

// Before the fix the server buffered the whole line (64 MiB of it) and then answered 200.
TEST_F(ServerRequestLimitsTest, LongChunkLineIs400AndTheConnectionCloses) {
  for (std::size_t size : {std::size_t{64 * 1024}, std::size_t{64 * kMiB}}) {
    SCOPED_TRACE(size);
    std::string raw = head("POST", kFailure, bearer() + "Transfer-Encoding: chunked\r\n") + "2;" +
                      std::string(size, 'x') + "\r\n{}\r\n0\r\n\r\n";
    HttpResult result = send(raw);
    EXPECT_EQ(result.status, 400) << result.body;
    EXPECT_EQ(result.header("connection"), "close");
  }
}

TEST_F(ServerRequestLimitsTest, LongTrailerIs400AndTheConnectionCloses) {
  for (std::size_t size : {std::size_t{64 * 1024}, std::size_t{64 * kMiB}}) {
    SCOPED_TRACE(size);
    std::string raw = head("POST", kFailure, bearer() + "Transfer-Encoding: chunked\r\n") + chunk("{}") +
                      "0\r\nX-Pad: " + std::string(size, 'x') + "\r\n\r\n";
    HttpResult result = send(raw);
    EXPECT_EQ(result.status, 400) << result.body;
    EXPECT_EQ(result.header("connection"), "close");
  }
}

// Each attack in turn, whole bodies sent, and then four at once: the peak resident memory of the server grows by
// less than 32 MB. (Before the fix: +202 MB for the 8 MiB login, +94 MB for the chunk line, and the 64 MiB trailer
// killed the server.)
TEST_F(ServerRequestLimitsTest, PeakMemoryStaysFlatUnderUnauthenticatedAttacks) {
  const std::uint64_t before = reset_peak(server_->pid());
  ASSERT_GT(before, 0u);
  const std::string big_login = padded_login(8 * kMiB);
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"8 MiB JSON login", head("POST", kLogin, length(big_login.size())) + big_login},
      {"8 MiB chunked login", head("POST", kLogin, "Transfer-Encoding: chunked\r\n") + chunked(big_login, 64 * 1024)},
      {"20 MB unauthenticated upload", head("POST", kUpload, length(20'000'000)) + std::string(20'000'000, 'A')},
      {"64 MiB chunk extension", head("POST", kLogin, "Transfer-Encoding: chunked\r\n") + "1;" +
                                     std::string(64 * kMiB, 'x') + "\r\nx\r\n0\r\n\r\n"},
      {"64 MiB trailer", head("POST", kLogin, "Transfer-Encoding: chunked\r\n") + chunk("{}") +
                             "0\r\nX-Pad: " + std::string(64 * kMiB, 'x') + "\r\n\r\n"},
  };
  for (const auto& [name, raw] : attacks) {
    HttpResult result = send(raw);
    EXPECT_GE(result.status, 400) << name;
    std::uint64_t peak = memory(server_->pid(), "VmHWM");
    ASSERT_GT(peak, 0u) << name << ": the server is gone";
    std::uint64_t growth = peak - before;
    std::printf("peak RSS growth after %s: %.1f MB\n", name.c_str(), growth / 1e6);
    EXPECT_LT(growth, 32'000'000u) << name;
  }
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&, i] { send(attacks[static_cast<std::size_t>(i) % 2].second); });
  }
  for (std::thread& client : clients) client.join();
  std::uint64_t growth = memory(server_->pid(), "VmHWM") - before;
  std::printf("peak RSS growth after four concurrent login attacks: %.1f MB\n", growth / 1e6);
  EXPECT_LT(growth, 32'000'000u);
  EXPECT_EQ(http_request(server_->port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace thumbgen
