// Issue 14, structured logs: the request id every response carries (X-Request-Id, errors too), the one JSON line per
// request under THUMBGEN_LOG_FORMAT=json (read back from a running `thumbgen serve`'s log), an incoming id honoured
// only from a trusted proxy and only as a short safe token, and the render time a completion reports counted in
// /metrics.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/prometheus_text.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::http_request;
using test::http_request_from;
using test::HttpResult;
using test::ServerProcess;

const std::string kNoListener = "THUMBGEN_METRICS_LISTEN=off";
const std::regex kFreshId("[0-9a-f]{16}");

// Every line of the server's log, each parsed as JSON (a line that is not fails the test).
std::vector<nlohmann::json> json_lines(const std::string& log) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << "not a JSON object: " << line;
    if (parsed.is_object()) lines.push_back(std::move(parsed));
  }
  return lines;
}

// The request line logged under `request_id` (null when there is none).
nlohmann::json request_line(const ServerProcess& server, const std::string& request_id) {
  // The line is written once the response is: a moment after the client has it.
  for (int i = 0; i < 250; ++i) {
    for (const auto& line : json_lines(server.log())) {
      if (line.value("msg", "") == "request" && line.value("request_id", "") == request_id) return line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return nullptr;
}

TEST(ServerRequestIds, EveryResponseCarriesAFreshIdErrorsToo) {
  ServerProcess server;
  server.start({}, {kNoListener, "THUMBGEN_BODY_LIMIT=2048"});
  std::vector<HttpResult> answers = {
      http_request(server.port(), "GET", "/healthz"),
      http_request(server.port(), "GET", "/no/such/path"),                                  // 404
      http_request(server.port(), "POST", "/healthz", "{}"),                                // 405
      http_request(server.port(), "GET", "/api/v1/admin/thumbnail-jobs/stats"),             // 401
      http_request(server.port(), "POST", "/api/v1/login/jwt", std::string(5000, 'x')),     // 413 on the headers
      test::raw_request(server.port(), "GET / HTTP/1.1\r\nHost: rebound.example\r\n\r\n"),  // 400 foreign Host
      test::raw_request(server.port(), "NOT HTTP AT ALL\r\n\r\n"),                          // 400 unparsable
      http_request(server.port(), "OPTIONS", "/api/v1/assets"),                             // preflight
  };
  std::vector<int> statuses = {200, 404, 405, 401, 413, 400, 400, 204};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].status, statuses[i]) << i << ": " << answers[i].body;
    const std::string id = answers[i].header("x-request-id");
    EXPECT_TRUE(std::regex_match(id, kFreshId)) << i << ": '" << id << "'";
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), answers.size());  // one id per request
}

TEST(ServerRequestLog, JsonFormatWritesOneParsableLinePerRequestWithItsFields) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  server.start({}, {kNoListener, "THUMBGEN_LOG_FORMAT=json"});
  HttpResult ok = http_request(server.port(), "GET", "/healthz");
  ASSERT_EQ(ok.status, 200);
  nlohmann::json line = request_line(server, ok.header("x-request-id"));
  ASSERT_TRUE(line.is_object()) << server.log();
  EXPECT_EQ(line["level"], "info");
  EXPECT_TRUE(std::regex_match(line.value("time", ""), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(line["method"], "GET");
  EXPECT_EQ(line["route"], "/healthz");
  EXPECT_EQ(line["path"], "/healthz");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["bytes"], ok.body.size());
  EXPECT_TRUE(line["ms"].is_number());
  EXPECT_EQ(line["client"], "127.0.0.1");
  EXPECT_TRUE(line["user"].is_null());

  // A route with an id in its path: the pattern and the path both, and who asked.
  const std::string token = test::login_token(server.port(), "admin", "admin-password");
  HttpResult job = http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/12345/heartbeat",
                                R"({"fencing_token":"1"})", test::bearer(token));
  EXPECT_EQ(job.status, 404);
  nlohmann::json job_line = request_line(server, job.header("x-request-id"));
  ASSERT_TRUE(job_line.is_object()) << server.log();
  EXPECT_EQ(job_line["route"], "/api/v1/admin/thumbnail-jobs/{job}/heartbeat");
  EXPECT_EQ(job_line["path"], "/api/v1/admin/thumbnail-jobs/12345/heartbeat");
  EXPECT_EQ(job_line["status"], 404);
  EXPECT_EQ(job_line["user"], "admin");

  // No route answered: route is null, the path is still there.
  HttpResult missing = http_request(server.port(), "GET", "/nothing/here?x=1");
  nlohmann::json missing_line = request_line(server, missing.header("x-request-id"));
  ASSERT_TRUE(missing_line.is_object()) << server.log();
  EXPECT_TRUE(missing_line["route"].is_null());
  EXPECT_EQ(missing_line["path"], "/nothing/here");  // never the query
  json_lines(server.log());                          // every line of the log is JSON, start-up lines included
}

TEST(ServerRequestLog, TextFormatKeepsItsPairsOnOneLine) {
  ServerProcess server;
  server.start({}, {kNoListener});
  HttpResult ok = http_request(server.port(), "GET", "/healthz");
  const std::string id = ok.header("x-request-id");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::regex line(
      "\\[info\\] request method=GET route=/healthz path=/healthz status=200 bytes=" + std::to_string(ok.body.size()) +
      " ms=[0-9.]+ client=127\\.0\\.0\\.1 user=- request_id=" + id + "\n");
  EXPECT_TRUE(std::regex_search(server.log(), line)) << server.log();
}

// ---- attacks: ids from clients ---------------------------------------------------------------------------------

TEST(ServerRequestIdAttack, AnIncomingIdIsKeptOnlyFromATrustedProxyAndOnlyWhenSafe) {
  ServerProcess server;
  server.start({}, {kNoListener, "THUMBGEN_LOG_FORMAT=json", "THUMBGEN_TRUSTED_PROXIES=127.0.0.1"});
  // A safe token from the trusted proxy: kept, so the proxy's log and ours tie together.
  const std::string proxied = "nginx-0123456789abcdef";
  HttpResult kept = http_request(server.port(), "GET", "/healthz", "", {{"X-Request-Id", proxied}});
  EXPECT_EQ(kept.header("x-request-id"), proxied);
  HttpResult forwarded = http_request(server.port(), "GET", "/healthz", "", {{"X-Forwarded-For", "203.0.113.9"}});
  nlohmann::json forwarded_line = request_line(server, forwarded.header("x-request-id"));
  ASSERT_TRUE(forwarded_line.is_object()) << server.log();
  EXPECT_EQ(forwarded_line["client"], "203.0.113.9");  // the client the trusted proxy names
  EXPECT_TRUE(request_line(server, proxied).is_object()) << server.log();
  // The same from anyone else: a fresh one (a client could otherwise pass its requests off as another's).
  HttpResult other = http_request_from("127.0.0.2", server.port(), "GET", "/healthz", "", {{"X-Request-Id", proxied}});
  EXPECT_EQ(other.status, 200);
  EXPECT_TRUE(std::regex_match(other.header("x-request-id"), kFreshId)) << other.header("x-request-id");
  HttpResult spoofed =
      http_request_from("127.0.0.2", server.port(), "GET", "/healthz", "", {{"X-Forwarded-For", "203.0.113.9"}});
  nlohmann::json spoofed_line = request_line(server, spoofed.header("x-request-id"));
  ASSERT_TRUE(spoofed_line.is_object()) << server.log();
  EXPECT_EQ(spoofed_line["client"], "127.0.0.2");  // anyone else's X-Forwarded-For is ignored

  // Hostile values, even from the trusted proxy: quotes and JSON, spaces and pairs, control bytes, a huge one, two
  // fields. Each answer gets a fresh id and none of it reaches the log or the headers.
  const std::string huge(8000, 'A');
  const std::vector<std::string> hostile = {R"(x"},"status":999,"evil":{")",
                                            "a b status=999 user=root",
                                            "ctl\x01\x1b[31mred",
                                            huge,
                                            "\xff\xfe-not-utf8",
                                            "semi;colon<tag>"};
  for (const std::string& value : hostile) {
    for (const char* header : {"X-Request-Id", "X-Correlation-Id"}) {
      HttpResult answer = test::raw_request(server.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                                               std::string(header) + ": " + value + "\r\n\r\n");
      // Beast refuses some control bytes in a field outright (400); either way the answer has a fresh id.
      EXPECT_TRUE(answer.status == 200 || answer.status == 400) << header << ": " << answer.status;
      EXPECT_TRUE(std::regex_match(answer.header("x-request-id"), kFreshId)) << answer.header("x-request-id");
      nlohmann::json line = request_line(server, answer.header("x-request-id"));
      ASSERT_TRUE(line.is_object()) << server.log();
      EXPECT_FALSE(line.contains("correlation_id")) << line.dump();
      EXPECT_EQ(line["status"], answer.status);
    }
  }
  HttpResult twice = test::raw_request(
      server.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: one\r\nX-Request-Id: two\r\n\r\n");
  EXPECT_TRUE(std::regex_match(twice.header("x-request-id"), kFreshId)) << twice.header("x-request-id");

  const std::string log = server.log();
  EXPECT_EQ(log.find("evil"), std::string::npos);
  EXPECT_EQ(log.find("status=999"), std::string::npos);
  EXPECT_EQ(log.find("\x1b[31m"), std::string::npos);
  EXPECT_EQ(log.find(std::string(100, 'A')), std::string::npos);
  EXPECT_EQ(log.find("<tag>"), std::string::npos);
  json_lines(log);  // still one JSON object per line
}

// ---- the render time workers report ----------------------------------------------------------------------------

TEST(ServerRenderTime, ACompletionsRenderSecondsAreCountedInTheHistogram) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  {
    server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
    catalogue.upsert_asset(test::test_asset("statue", 7));
    catalogue.upsert_asset(test::test_asset("vase", 8));
  }
  const std::string scrape_token(40, 's');
  server.start({}, {kNoListener, "THUMBGEN_METRICS_TOKEN=" + scrape_token, "THUMBGEN_LOG_FORMAT=json"});
  const std::string token = test::login_token(server.port(), "admin", "admin-password");
  HttpResult claim = http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/claim",
                                  R"({"worker":"w1","max":2,"lease_seconds":60})", test::bearer(token));
  ASSERT_EQ(claim.status, 200) << claim.body;
  ASSERT_EQ(claim.json()["jobs"].size(), 2u);
  auto job = [&](int i, const std::string& field) { return claim.json()["jobs"][i][field].get<std::string>(); };
  auto complete = [&](int i, const nlohmann::json& render_seconds) {
    nlohmann::json body = nlohmann::json::parse(test::upload_body(90));
    body["fencing_token"] = job(i, "fencing_token");
    if (!render_seconds.is_null()) body["render_seconds"] = render_seconds;
    return http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/" + job(i, "job_id") + "/complete",
                        body.dump(),
                        {{"Authorization", "Bearer " + token}, {"X-Correlation-Id", "claim1." + job(i, "job_id")}});
  };
  // Not a number of seconds: refused before anything is stored.
  EXPECT_EQ(complete(0, "fast").status, 400);
  EXPECT_EQ(complete(0, -1).status, 400);
  EXPECT_EQ(complete(0, 1e9).status, 400);
  HttpResult timed = complete(0, 0.3);
  EXPECT_EQ(timed.status, 200) << timed.body;
  HttpResult old_worker = complete(1, nullptr);  // an older worker sends none: still completes, not counted
  EXPECT_EQ(old_worker.status, 200) << old_worker.body;

  HttpResult scrape = http_request(server.port(), "GET", "/metrics", "", test::bearer(scrape_token));
  ASSERT_EQ(scrape.status, 200);
  test::PrometheusText text = test::parse_prometheus_text(scrape.body);
  EXPECT_EQ(text.types.at("thumbgen_render_duration_seconds"), "histogram");
  EXPECT_EQ(text.value("thumbgen_render_duration_seconds_count"), 1);
  EXPECT_EQ(text.value(R"(thumbgen_render_duration_seconds_bucket{le="0.25"})"), 0);
  EXPECT_EQ(text.value(R"(thumbgen_render_duration_seconds_bucket{le="0.5"})"), 1);
  EXPECT_EQ(text.value(R"(thumbgen_render_duration_seconds_bucket{le="+Inf"})"), 1);
  EXPECT_DOUBLE_EQ(text.value("thumbgen_render_duration_seconds_sum"), 0.3);
  EXPECT_EQ(text.value("thumbgen_job_completions_total"), 2);

  // The job's story in the log: claimed and completed, with its asset, and the worker's correlation id.
  int claimed = 0, completed = 0;
  for (const auto& line : json_lines(server.log())) {
    if (line.value("job", "") != job(0, "job_id")) continue;
    EXPECT_EQ(line.value("asset", ""), claim.json()["jobs"][0]["asset"].value("id_str", "?")) << line.dump();
    if (line["msg"] == "job claimed") ++claimed;
    if (line["msg"] == "job completed") {
      ++completed;
      EXPECT_EQ(line["correlation_id"], "claim1." + job(0, "job_id"));
      EXPECT_EQ(line["request_id"], timed.header("x-request-id"));
      EXPECT_EQ(line["render_seconds"], 0.3);
    }
  }
  EXPECT_EQ(claimed, 1);
  EXPECT_EQ(completed, 1);
}

}  // namespace
}  // namespace thumbgen
