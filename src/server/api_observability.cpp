// What operators probe and scrape: /healthz (the process answers), /readyz (catalogue and storage reachable) and
// GET /metrics on the main port, behind a long-lived scrape token (THUMBGEN_METRICS_TOKEN).
#include <sodium.h>

#include "server/api_handlers.h"
#include "server/metrics_scrape.h"

namespace thumbgen::server {

namespace {

// Constant time whatever the lengths: both sides are hashed first, so neither a byte nor the length leaks.
bool same_secret(std::string_view given, std::string_view expected) {
  unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(given.data()), given.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

}  // namespace

std::string Api::metrics_text() { return scrape_metrics(*metrics_, catalogue_, unix_now()); }

void Api::add_observability_routes() {
  router_.add(http::verb::get, "/healthz", {}, [](ApiRequest&) {
    return json_response(http::status::ok, {{"status", "ok"}});
  });
  router_.add(http::verb::get, "/readyz", {}, [this](ApiRequest&) {
    ReadinessVerdict verdict = readiness_.check();
    nlohmann::json checks = {{"catalogue", verdict.catalogue_problem ? "unavailable" : "ok"},
                             {"storage", verdict.storage_problem ? "unavailable" : "ok"}};
    if (verdict.ready()) return json_response(http::status::ok, {{"status", "ready"}, {"checks", checks}});
    std::string reason = verdict.catalogue_problem.value_or("");
    if (verdict.storage_problem) reason += (reason.empty() ? "" : "; ") + *verdict.storage_problem;
    ApiResponse response = json_response(http::status::service_unavailable,
                                         {{"status", "not ready"}, {"detail", reason}, {"checks", checks}});
    response.headers.emplace_back("Retry-After", "5");
    return response;
  });
  // No token configured: no route here (404, as for any unknown path); otherwise the bearer token or 401. It runs
  // on the headers when a body follows (refused before the body is read, which the route never takes: 413), and
  // again in the handler, since bodiless requests skip admission.
  auto refusal = [this](ApiRequest& request) -> std::optional<ApiResponse> {
    if (settings_.metrics_token.empty()) return error_response(http::status::not_found, "Not found");
    if (!same_secret(bearer_token(request), settings_.metrics_token)) {
      ApiResponse refused = error_response(http::status::unauthorized, "Scrape token required");
      refused.headers.emplace_back("WWW-Authenticate", "Bearer");
      return refused;
    }
    return std::nullopt;
  };
  router_.add(http::verb::get, "/metrics", {0, refusal}, [this, refusal](ApiRequest& request) {
    if (auto refused = refusal(request)) return std::move(*refused);
    ApiResponse response;
    response.content_type = kMetricsContentType;
    response.body = metrics_text();
    return response;
  });
}

}  // namespace thumbgen::server
