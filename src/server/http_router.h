// Requests and responses as the API handlers see them, and a small path router ("/a/{id}/b", "/files/*").
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_file_body.h"

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
  std::optional<FileRangeBody::value_type> file;  // when set, streamed instead of body
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user;  // who made the request, for the log line
};

ApiResponse json_response(http::status status, const nlohmann::json& body);
ApiResponse error_response(http::status status, std::string_view detail);  // {"detail": "..."}

using Handler = std::function<ApiResponse(ApiRequest&)>;

class Router {
 public:
  // Pattern segments: literal, "{name}" (one segment) or a final "*" (the rest of the path, may contain '/').
  void add(http::verb method, std::string pattern, Handler handler);
  // 404 {"detail":"Not found"} or 405 when the path matches under another method. HEAD runs the GET route; a POST
  // with a Content-Type other than JSON gets 415 before its handler runs.
  ApiResponse dispatch(const HttpRequest& request, const std::string& client_address) const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Query parameters, percent-decoded with '+' as a space; nullopt on a malformed escape or a decoded NUL.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace thumbgen::server
