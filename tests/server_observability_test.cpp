// Issue 14, observability: /healthz, /readyz and GET /metrics (Prometheus text format 0.0.4) against a running
// `thumbgen serve`, on the main port behind the scrape token and on the separate metrics listener.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <tuple>
#include <utility>

#include "server/metrics_registry.h"
#include "support/http_client.h"
#include "support/metrics_listener_checks.h"
#include "support/prometheus_text.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::http_request;
using test::HttpResult;
using test::parse_prometheus_text;
using test::PrometheusText;
using test::ServerProcess;

const std::string kToken = "scrape-token-0123456789abcdef0123456789abcdef";
const std::string kNoListener = "THUMBGEN_METRICS_LISTEN=off";

std::map<std::string, std::string> scrape_auth(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// The metrics listener's URL and port, from the line `thumbgen serve` logs when it starts it.
std::pair<std::string, unsigned short> metrics_listener(const ServerProcess& server) {
  std::smatch found;
  std::string log = server.log();
  if (!std::regex_search(log, found, std::regex(R"(metrics on (http://\S+) \(port (\d+)\))"))) return {"", 0};
  return {found[1], static_cast<unsigned short>(std::stoi(found[2]))};
}

// ---- /healthz and /readyz ------------------------------------------------------------------------------------------

TEST(ServerReadiness, ReadyWhileStorageIsThereAndSaysWhatIsMissingOtherwise) {
  ServerProcess server;
  server.start({}, {kNoListener, "THUMBGEN_READY_CACHE=0"});
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").json()["status"], "ok");
  HttpResult ready = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json()["status"], "ready");
  EXPECT_EQ(ready.json()["checks"]["storage"], "ok");
  EXPECT_EQ(ready.json()["checks"]["catalogue"], "ok");

  // The thumbnail folder gone (an unmounted volume): not ready, and the answer names it; alive all the same.
  const fs::path media = server.data() / "media", away = server.data() / "media.away";
  fs::rename(media, away);
  HttpResult gone = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(gone.status, 503) << gone.body;
  EXPECT_EQ(gone.json()["checks"]["storage"], "unavailable");
  EXPECT_EQ(gone.json()["checks"]["catalogue"], "ok");
  EXPECT_NE(gone.json()["detail"].get<std::string>().find("storage: media folder"), std::string::npos) << gone.body;
  EXPECT_EQ(gone.header("retry-after"), "5");
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);

  fs::rename(away, media);
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200);
}

TEST(ServerReadiness, ProbesTakeNoBody) {
  ServerProcess server;
  server.start({}, {kNoListener});
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz", "x").status, 413);
  EXPECT_EQ(http_request(server.port(), "POST", "/readyz", "{}").status, 405);
}

// ---- /metrics on the main port: the scrape token -------------------------------------------------------------------

TEST(ServerMetricsAuth, NoTokenConfiguredMeansNoRouteOnTheMainPort) {
  ServerProcess server;
  server.start({}, {kNoListener});
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics", "", scrape_auth(kToken)).status, 404);
  // Refused on the headers, before any body: 404, not 413.
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics", std::string(100, 'x')).status, 404);
}

TEST(ServerMetricsAuth, TheTokenIsRequiredBeforeAnythingElse) {
  ServerProcess server;
  server.start({}, {kNoListener, "THUMBGEN_METRICS_TOKEN=" + kToken});
  HttpResult none = http_request(server.port(), "GET", "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics", "", scrape_auth(kToken + "x")).status, 401);
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics", "", scrape_auth(kToken.substr(1))).status, 401);
  EXPECT_EQ(http_request(server.port(), "HEAD", "/metrics").status, 401);
  // A foreign Host is refused before the token is even looked at (DNS rebinding).
  EXPECT_EQ(
      test::raw_request(server.port(), "GET /metrics HTTP/1.1\r\nHost: rebound.example\r\nAuthorization: Bearer " +
                                           kToken + "\r\n\r\n")
          .status,
      400);
  // A body without the token: 401 (auth first); with it: 413 (the route takes none).
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics", std::string(100, 'x')).status, 401);
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics", std::string(100, 'x'), scrape_auth(kToken)).status, 413);

  HttpResult scrape = http_request(server.port(), "GET", "/metrics", "", scrape_auth(kToken));
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  EXPECT_EQ(scrape.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  PrometheusText text = parse_prometheus_text(scrape.body);
  // The refusals above are counted under the route, never under a raw path.
  EXPECT_EQ(text.value(R"(thumbgen_http_requests_total{route="/metrics",method="GET",status="401"})"), 4);
  EXPECT_EQ(text.value(R"(thumbgen_http_requests_total{route="/metrics",method="HEAD",status="401"})"), 1);
}

TEST(ServerMetricsAuth, ATooShortTokenIsRefusedAtStart) {
  ServerProcess server;
  EXPECT_THROW(server.start({}, {kNoListener, "THUMBGEN_METRICS_TOKEN=short"}), std::runtime_error);
  EXPECT_NE(server.log().find("metrics_token: at least 32 characters"), std::string::npos) << server.log();
}

// ---- what the metrics say ------------------------------------------------------------------------------------------

class ServerMetricsScrape : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
    {
      server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
      catalogue.upsert_asset(test::test_asset("statue", 7));
      catalogue.upsert_asset(test::test_asset("vase", 8));
    }
    server.start({}, {"THUMBGEN_METRICS_LISTEN=:0", "THUMBGEN_ALLOWED_HOSTS=scraper.internal"});
    std::tie(url, port) = metrics_listener(server);
    ASSERT_NE(port, 0) << server.log();
    token = test::login_token(server.port(), "admin", "admin-password");
    ASSERT_FALSE(token.empty());
  }
  PrometheusText scrape() {
    HttpResult result = http_request(port, "GET", "/metrics");
    EXPECT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return parse_prometheus_text(result.body);
  }

  ServerProcess server;
  std::string url;
  unsigned short port = 0;
  std::string token;
};

TEST_F(ServerMetricsScrape, RequestsAreCountedByRoutePatternWithTheirLatency) {
  PrometheusText before = scrape();
  const std::string healthz = R"(thumbgen_http_requests_total{route="/healthz",method="GET",status="200"})";
  const std::string files = R"(thumbgen_http_requests_total{route="/files/{asset}/*",method="GET",status="404"})";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(http_request(server.port(), "GET", "/files/statue/secret-path-1.glb").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/files/statue/secret-path-2.glb").status, 404);
  EXPECT_EQ(http_request(server.port(), "GET", "/no/such/raw-path-xyz").status, 404);

  HttpResult raw = http_request(port, "GET", "/metrics");
  EXPECT_EQ(raw.body.find("secret-path"), std::string::npos);  // bounded cardinality: patterns only
  EXPECT_EQ(raw.body.find("raw-path-xyz"), std::string::npos);
  PrometheusText after = parse_prometheus_text(raw.body);
  EXPECT_EQ(after.types.at("thumbgen_http_requests_total"), "counter");
  EXPECT_EQ(after.types.at("thumbgen_http_request_duration_seconds"), "histogram");
  // A request series appears with its route's first request of that method and status: absent before is none yet
  // (the series after must be there: value() throws for a missing one).
  auto before_count = [&](const std::string& series) { return before.has(series) ? before.value(series) : 0.0; };
  EXPECT_EQ(after.value(healthz) - before_count(healthz), 3);
  EXPECT_EQ(after.value(files) - before_count(files), 2);
  EXPECT_GE(after.value(R"(thumbgen_http_requests_total{route="unmatched",method="GET",status="404"})"), 1);
  // The histogram: cumulative buckets ending at +Inf = _count, which moved with the requests.
  const std::string count = R"(thumbgen_http_request_duration_seconds_count{route="/healthz"})";
  EXPECT_GE(after.value(count) - before_count(count), 3);
  EXPECT_EQ(after.value(R"(thumbgen_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"})"),
            after.value(count));
  EXPECT_LE(after.value(R"(thumbgen_http_request_duration_seconds_bucket{route="/healthz",le="0.005"})"),
            after.value(R"(thumbgen_http_request_duration_seconds_bucket{route="/healthz",le="10"})"));
  EXPECT_GT(after.value(R"(thumbgen_http_request_duration_seconds_sum{route="/healthz"})"), 0);

  EXPECT_GT(after.value("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(after.value("process_open_fds"), 3);
  EXPECT_EQ(after.value("thumbgen_catalogue_up"), 1);
}

TEST_F(ServerMetricsScrape, QueueJobsAndUploadsAreCounted) {
  PrometheusText before = scrape();
  EXPECT_EQ(before.types.at("thumbgen_queue_depth"), "gauge");
  EXPECT_EQ(before.value(R"(thumbgen_queue_depth{state="missing"})"), 2);
  EXPECT_EQ(before.value(R"(thumbgen_queue_depth{state="leased"})"), 0);

  // Two claims; one job failed for good, the other completed; then a stale token.
  HttpResult claim = http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/claim",
                                  R"({"worker":"w1","max":2,"lease_seconds":60})", test::bearer(token));
  ASSERT_EQ(claim.status, 200) << claim.body;
  ASSERT_EQ(claim.json()["jobs"].size(), 2u);
  PrometheusText leased = scrape();
  EXPECT_EQ(leased.value(R"(thumbgen_queue_depth{state="leased"})"), 2);
  EXPECT_EQ(leased.value("thumbgen_job_claims_total"), 2);

  auto job = [&](int i, const std::string& field) { return claim.json()["jobs"][i][field].get<std::string>(); };
  nlohmann::json fail = {{"fencing_token", job(0, "fencing_token")}, {"reason", "bad file"}, {"retryable", false}};
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/" + job(0, "job_id") + "/fail",
                         fail.dump(), test::bearer(token))
                .status,
            200);
  nlohmann::json complete = nlohmann::json::parse(test::upload_body(90));
  complete["fencing_token"] = job(1, "fencing_token");
  HttpResult done =
      http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/" + job(1, "job_id") + "/complete",
                   complete.dump(), test::bearer(token));
  EXPECT_EQ(done.status, 200) << done.body;
  nlohmann::json stale = {{"fencing_token", "999999"}};
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/" + job(1, "job_id") + "/heartbeat",
                         stale.dump(), test::bearer(token))
                .status,
            409);
  // An upload that is not an image.
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/admin/assets/vase/thumbnail",
                         R"({"thumbnail_base64":"not base64!"})", test::bearer(token))
                .status,
            400);

  PrometheusText after = scrape();
  EXPECT_EQ(after.value(R"(thumbgen_queue_depth{state="missing"})"), 1);
  EXPECT_EQ(after.value(R"(thumbgen_queue_depth{state="leased"})"), 0);
  EXPECT_EQ(after.value(R"(thumbgen_queue_depth{state="dead"})"), 1);
  EXPECT_EQ(after.value("thumbgen_job_completions_total"), 1);
  EXPECT_EQ(after.value(R"(thumbgen_job_failures_total{reason="permanent"})"), 1);
  EXPECT_EQ(after.value(R"(thumbgen_job_failures_total{reason="retryable"})"), 0);
  EXPECT_EQ(after.value("thumbgen_fencing_refusals_total"), 1);
  EXPECT_EQ(after.value(R"(thumbgen_upload_validations_total{outcome="accepted"})"), 1);
  EXPECT_EQ(after.value(R"(thumbgen_upload_validations_total{outcome="bad_base64"})"), 1);
}

// The listener `work --metrics-listen` has too (worker_e2e_test checks it there).
TEST_F(ServerMetricsScrape, TheListenerAnswersGetMetricsOnly) {
  test::expect_metrics_listener_on_loopback_only(url, port);  // ":0" is loopback, not every interface
  test::expect_metrics_listener_rules(port, "scraper.internal");
  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 404);
  EXPECT_EQ(http_request(port, "GET", "/api/v1/admin/thumbnail-jobs/stats", "", test::bearer(token)).status, 404);
  // The main port still has no /metrics without a token configured.
  EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 404);
}

// ---- the registry and the format, in process ------------------------------------------------------------------------

TEST(MetricsFormat, LabelValuesAreEscaped) {
  EXPECT_EQ(server::escape_label_value(R"(a\b"c)"
                                       "\n"),
            R"(a\\b\"c\n)");
  server::ServerMetrics metrics({"/odd/\"route\"\\\n"});
  metrics.record_request("/odd/\"route\"\\\n", "GET", 200, 0.001);
  metrics.record_request("/not/a/route", "BREW", 418, 20);  // an unknown route and method
  std::string text;
  metrics.render(text);
  PrometheusText parsed = parse_prometheus_text(text);
  EXPECT_EQ(parsed.value(R"(thumbgen_http_requests_total{route="/odd/\"route\"\\\n",method="GET",status="200"})"), 1);
  EXPECT_EQ(parsed.value(R"(thumbgen_http_requests_total{route="unmatched",method="other",status="418"})"), 1);
  EXPECT_EQ(parsed.value(R"(thumbgen_http_request_duration_seconds_bucket{route="unmatched",le="10"})"), 0);
  EXPECT_EQ(parsed.value(R"(thumbgen_http_request_duration_seconds_bucket{route="unmatched",le="+Inf"})"), 1);
}

TEST(MetricsFormat, TheParserRefusesWhatTheFormatDoesNotAllow) {
  EXPECT_THROW(parse_prometheus_text("x 1\n"), std::runtime_error);  // no HELP/TYPE
  EXPECT_THROW(parse_prometheus_text("# HELP x h\n# TYPE x counter\nx{a=\"\\q\"} 1\n"), std::runtime_error);
  EXPECT_THROW(parse_prometheus_text("# HELP x h\n# TYPE x counter\nx{a=\"v} 1\n"), std::runtime_error);
  EXPECT_THROW(parse_prometheus_text("# HELP x h\n# TYPE x counter\nx one\n"), std::runtime_error);
  EXPECT_NO_THROW(parse_prometheus_text("# HELP x h\n# TYPE x counter\nx{a=\"\\\"\"} 1\n"));
}

// A check of a series that was never exported fails instead of reading 0.
TEST(MetricsFormat, AMissingSeriesIsAnErrorNotAZero) {
  PrometheusText parsed = parse_prometheus_text("# HELP x h\n# TYPE x counter\nx{a=\"b\"} 0\n");
  EXPECT_EQ(parsed.value(R"(x{a="b"})"), 0);
  EXPECT_THROW(parsed.value(R"(x{a="c"})"), std::out_of_range);
  EXPECT_THROW(parsed.value("x"), std::out_of_range);
}

TEST(MetricsFormat, ManySeriesOfOneRouteStayBounded) {
  server::ServerMetrics metrics({"/r"});
  for (int status = 100; status < 600; ++status) metrics.record_request("/r", "GET", status, 0);
  std::string text;
  metrics.render(text);
  PrometheusText parsed = parse_prometheus_text(text);
  std::size_t series = 0;
  for (const auto& [name, value] : parsed.samples) series += name.starts_with("thumbgen_http_requests_total{") ? 1 : 0;
  EXPECT_LE(series, 49u);
  EXPECT_EQ(parsed.value(R"(thumbgen_http_requests_total{route="/r",method="other",status="other"})"), 500 - 48);
}

}  // namespace
}  // namespace thumbgen
