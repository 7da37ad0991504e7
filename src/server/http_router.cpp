#include "server/http_router.h"

#include <algorithm>
#include <charconv>

#include "util/percent_encoding.h"

namespace thumbgen::server {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

// Media types accepted for a JSON body: application/json with any parameters (charset=utf-8), and the
// structured-syntax suffix +json. A missing Content-Type is accepted too: the spec shows the upload body without
// any headers, so clients written from it may send none. So is curl's default for -d,
// application/x-www-form-urlencoded: the original API read the body as JSON whatever its type, and scripts written
// against it omit the header; a real form body still fails, as bad JSON (400).
bool is_json_content_type(std::string_view value) {
  std::string_view type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json", kApplication = "application/", kSuffix = "+json";
  if (boost::beast::iequals(type, kJson) || boost::beast::iequals(type, "application/x-www-form-urlencoded"))
    return true;
  return type.size() > kApplication.size() + kSuffix.size() &&
         boost::beast::iequals(type.substr(0, kApplication.size()), kApplication) &&
         boost::beast::iequals(type.substr(type.size() - kSuffix.size()), kSuffix);
}

}  // namespace

std::string_view ApiRequest::header(http::field field) const {
  auto found = raw.find(field);
  return found == raw.end() ? std::string_view() : std::string_view(found->value().data(), found->value().size());
}

ApiResponse json_response(http::status status, const nlohmann::json& body) {
  ApiResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

ApiResponse error_response(http::status status, std::string_view detail) {
  return json_response(status, {{"detail", detail}});
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    auto key = util::percent_decode(pair.substr(0, equals), true);
    auto value = util::percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
    if (!key || !value) return std::nullopt;
    values[*key] = *value;
  }
  return values;
}

void Router::add(http::verb method, std::string pattern, RouteRules rules, Handler handler) {
  Route route{method, pattern, {}, std::move(rules), std::move(handler)};
  for (std::string_view segment : split_path(pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

std::variant<Router::Match, ApiResponse> Router::match(const HttpRequest& request,
                                                       const std::string& client_address) const {
  std::string_view target(request.target().data(), request.target().size());
  std::size_t question = target.find('?');
  auto path = util::percent_decode(target.substr(0, question), false);
  auto query = parse_query(question == std::string_view::npos ? std::string_view() : target.substr(question + 1));
  if (!path || !query) return error_response(http::status::bad_request, "Malformed URL");

  // Segments are matched on the raw (still encoded) path so an encoded '/' stays inside one segment.
  std::vector<std::string_view> raw_segments = split_path(target.substr(0, question));
  bool path_matched = false;
  for (const Route& route : routes_) {
    std::vector<std::string> params;
    bool match = true;
    std::size_t i = 0;
    for (; i < route.segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (want == "*") {
        if (i >= raw_segments.size()) {
          match = false;
          break;
        }
        std::string rest;
        for (std::size_t j = i; j < raw_segments.size(); ++j) {
          auto decoded = util::percent_decode(raw_segments[j], false);
          if (!decoded) return error_response(http::status::bad_request, "Malformed URL");
          if (!rest.empty()) rest += '/';
          rest += *decoded;
        }
        params.push_back(std::move(rest));
        i = raw_segments.size();
        break;
      }
      if (i >= raw_segments.size()) {
        match = false;
      } else if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        auto decoded = util::percent_decode(raw_segments[i], false);
        if (!decoded) return error_response(http::status::bad_request, "Malformed URL");
        params.push_back(std::move(*decoded));
      } else if (want != raw_segments[i]) {
        match = false;
      }
    }
    if (!match || i != raw_segments.size()) continue;
    path_matched = true;
    // HEAD is GET without the body (the HTTP layer drops it and keeps the length).
    bool head_as_get = request.method() == http::verb::head && route.method == http::verb::get;
    if (route.method != request.method() && !head_as_get) continue;
    // Every POST and PUT of this API takes a JSON body.
    if (route.method == http::verb::post || route.method == http::verb::put) {
      auto content_type = request.find(http::field::content_type);
      if (content_type != request.end() &&
          !is_json_content_type(std::string_view(content_type->value().data(), content_type->value().size()))) {
        return error_response(http::status::unsupported_media_type, "Content-Type must be application/json");
      }
    }
    return Match{&route, ApiRequest{request, *path, std::move(*query), std::move(params), client_address}};
  }
  if (path_matched) return error_response(http::status::method_not_allowed, "Method not allowed");
  return error_response(http::status::not_found, "Not found");
}

Admission Router::admit(const HttpRequest& header, const std::string& client_address) const {
  auto matched = match(header, client_address);
  if (auto* answer = std::get_if<ApiResponse>(&matched)) return {std::move(*answer), 0};
  auto& [route, request] = std::get<Match>(matched);
  if (route->rules.admit) {
    if (auto refusal = route->rules.admit(request)) {
      refusal->route = route->pattern;
      return {std::move(refusal), 0};
    }
  }
  auto length = header.find(http::field::content_length);
  if (length != header.end()) {
    // Beast has checked the value: a number, or a list of equal numbers ("5, 5").
    std::string_view text(length->value().data(), length->value().size());
    text = text.substr(0, text.find(','));
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    std::uint64_t bytes = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
    if (error != std::errc() || end != text.data() + text.size() || bytes > route->rules.body_limit) {
      ApiResponse too_large = error_response(http::status::payload_too_large, "Request body too large");
      too_large.route = route->pattern;
      return {std::move(too_large), 0};
    }
  }
  return {std::nullopt, route->rules.body_limit};
}

ApiResponse Router::dispatch(const HttpRequest& request, const std::string& client_address) const {
  auto matched = match(request, client_address);
  if (auto* answer = std::get_if<ApiResponse>(&matched)) return std::move(*answer);
  auto& [route, api] = std::get<Match>(matched);
  ApiResponse response = route->handler(api);
  response.route = route->pattern;
  return response;
}

std::vector<std::string> Router::patterns() const {
  std::vector<std::string> all;
  for (const Route& route : routes_) {
    if (std::find(all.begin(), all.end(), route.pattern) == all.end()) all.push_back(route.pattern);
  }
  return all;
}

std::vector<Router::RouteName> Router::routes() const {
  std::vector<RouteName> all;
  for (const Route& route : routes_) all.push_back({route.method, route.pattern});
  return all;
}

}  // namespace thumbgen::server
