// Requests and responses as the API handlers see them, and a small path router ("/a/{id}/b", "/files/*").
#pragma once

#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "server/file_range.h"

namespace thumbgen::server {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;

struct ApiRequest {
  const HttpRequest& raw;
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded; the last value of a repeated key wins
  std::vector<std::string> params;           // {captures} and the * tail, in order
  std::string client_address;
  std::string_view header(http::field field) const;
};

struct ApiResponse {
  http::status status = http::status::ok;
  std::string content_type = "application/json";
  std::string body;
  std::optional<FileRange> file;  // when set, sent instead of body
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user;   // who made the request, for the log line
  std::string route;  // the pattern of the route that answered ("" when none did), for the metrics
};

ApiResponse json_response(http::status status, const nlohmann::json& body);
ApiResponse error_response(http::status status, std::string_view detail);  // {"detail": "..."}

using Handler = std::function<ApiResponse(ApiRequest&)>;

// What a route accepts before its body is read. The HTTP layer reads the headers, asks the router (admit), and
// only then reads a body, under the route's own limit: a client that may not use a route never gets to make the
// server hold more than the headers.
struct RouteRules {
  std::uint64_t body_limit = 0;  // bytes; 0: the route takes no body
  // Checks the headers alone (the bearer token); an answer refuses the request before its body is read.
  std::function<std::optional<ApiResponse>(ApiRequest&)> admit;
};

// The router's verdict on a request's headers.
struct Admission {
  std::optional<ApiResponse> refusal;  // answered without reading the body (the connection then closes)
  std::uint64_t body_limit = 0;        // otherwise, the most the body may hold
};

class Router {
 public:
  // Pattern segments: literal, "{name}" (one segment) or a final "*" (the rest of the path, may contain '/').
  void add(http::verb method, std::string pattern, RouteRules rules, Handler handler);
  // On the headers, in this order: no route (404/405, 400 for a malformed URL), a POST Content-Type other than JSON
  // (415), the route's own check (401/403), a Content-Length over the route's limit (413). (A Content-Length over
  // every route's limit is refused earlier still, by the HTTP layer, before the route is looked up.)
  Admission admit(const HttpRequest& header, const std::string& client_address) const;
  // 404 {"detail":"Not found"} or 405 when the path matches under another method. HEAD runs the GET route; a POST
  // with a Content-Type other than JSON gets 415 before its handler runs.
  ApiResponse dispatch(const HttpRequest& request, const std::string& client_address) const;
  // Every route's pattern, once each (the metrics' route label values).
  std::vector<std::string> patterns() const;
  // Every route as added: method and pattern (the OpenAPI document's test compares them with its paths).
  struct RouteName {
    http::verb method;
    std::string pattern;
  };
  std::vector<RouteName> routes() const;

 private:
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    RouteRules rules;
    Handler handler;
  };
  struct Match {
    const Route* route;
    ApiRequest request;
  };
  // The route a request goes to, with its parsed target, or the answer when none takes it.
  std::variant<Match, ApiResponse> match(const HttpRequest& request, const std::string& client_address) const;
  std::vector<Route> routes_;
};

// Query parameters, percent-decoded with '+' as a space; nullopt on a malformed escape or a decoded NUL.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace thumbgen::server
