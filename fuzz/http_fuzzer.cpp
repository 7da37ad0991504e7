// HTTP request parsing as the server does it: Beast's parser under the server's header and body limits, thumbgen's
// framing rules (Transfer-Encoding, request smuggling), then the router on the real route patterns (target parsing,
// percent-decoding, query parsing, admission by Content-Type and body limit, dispatch).
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/http_framing.h"
#include "server/http_router.h"

using namespace thumbgen;
namespace http = boost::beast::http;

namespace {

// The server's route patterns (src/server/api_*.cpp, admin pages, files, metrics), each echoing what it parsed.
const server::Router& router() {
  static const server::Router instance = [] {
    server::Router routes;
    const auto echo = [](server::ApiRequest& request) {
      nlohmann::json body{{"path", request.path}, {"params", request.params}, {"query", request.query}};
      body["body"] = nlohmann::json::parse(request.raw.body(), nullptr, false).is_discarded();
      return server::json_response(http::status::ok, body);
    };
    const auto open = [](server::ApiRequest&) -> std::optional<server::ApiResponse> { return std::nullopt; };
    const auto closed = [](server::ApiRequest& request) -> std::optional<server::ApiResponse> {
      if (request.header(http::field::authorization).starts_with("Bearer ")) return std::nullopt;
      return server::error_response(http::status::unauthorized, "Authentication credentials were not provided.");
    };
    for (const char* pattern :
         {"/healthz", "/readyz", "/metrics", "/admin", "/admin/*", "/media/*", "/files/{asset}/*",
          "/api/v1/admin/assets", "/api/v1/admin/assets/missing-thumbnails", "/api/v1/admin/selections/{selection}",
          "/api/v1/admin/settings", "/api/v1/admin/thumbnail-jobs/stats"})
      routes.add(http::verb::get, pattern, {0, open}, echo);
    for (const char* pattern : {"/api/v1/login/jwt", "/api/v1/login/refresh", "/api/v1/admin/selections",
                                "/api/v1/admin/assets/{asset}/thumbnail", "/api/v1/admin/assets/{asset}/camera",
                                "/api/v1/admin/thumbnail-jobs/claim", "/api/v1/admin/thumbnail-jobs/{job}/complete",
                                "/api/v1/admin/thumbnail-jobs/{job}/heartbeat"})
      routes.add(http::verb::post, pattern, {64 * 1024, closed}, echo);
    routes.add(http::verb::delete_, "/api/v1/admin/selections/{selection}", {0, closed}, echo);
    return routes;
  }();
  return instance;
}

// Feeds `input` from `offset` until the parser stops taking bytes; returns the new offset.
std::size_t feed(http::request_parser<http::string_body>& parser, const std::uint8_t* data, std::size_t size,
                 std::size_t offset, boost::beast::error_code& error) {
  while (!error && offset < size && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), error);
    if (used == 0) break;
    offset += used;
    if (!parser.eager() && parser.is_header_done()) break;
  }
  return offset;
}

}  // namespace

// Like the server: the header first (framing, then admission), and the body only under the admitted route's limit.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);  // HttpServerOptions' defaults
  parser.body_limit(24 * 1024 * 1024);
  boost::beast::error_code error;
  std::size_t offset = feed(parser, data, size, 0, error);
  if (error || !parser.is_header_done()) return 0;
  if (server::framing_problem(parser.get())) return 0;
  const server::Admission admission = router().admit(parser.get(), "127.0.0.1");
  if (admission.refusal) return 0;
  parser.body_limit(admission.body_limit);
  parser.eager(true);
  feed(parser, data, size, offset, error);
  if (error || !parser.is_done()) return 0;
  router().dispatch(parser.get(), "127.0.0.1");
  return 0;
}
