// Small parsing rules the API handlers share: integers, booleans, ids as JSON strings, JSON bodies, and the staff
// prelude of the JSON routes.
#pragma once

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "server/catalogue.h"
#include "server/http_router.h"
#include "util/ascii.h"

namespace thumbgen::server {

// A whole-string decimal integer; nullopt on anything else (signs, spaces, overflow).
template <class T = std::int64_t>
std::optional<T> parse_integer(std::string_view text) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

inline std::optional<bool> parse_bool(std::string_view raw) {
  const std::string text = util::to_lower_ascii(raw);
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

// A 64-bit id given as a JSON string (the contract) or, leniently, as an integer.
inline std::optional<std::int64_t> json_int64(const nlohmann::json& value) {
  if (value.is_string()) return parse_integer(value.get_ref<const std::string&>());
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

// The request body as a JSON object; an empty body counts as {}.
inline std::optional<nlohmann::json> body_object(const ApiRequest& request) {
  if (request.raw.body().empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

// Runs `handle(body)` for a staff user only (else the 401/403 answer), and names the user in the log line.
template <class Handle>
ApiResponse as_staff(std::variant<UserRecord, ApiResponse> staff, const ApiRequest& request, Handle&& handle) {
  if (auto* denied = std::get_if<ApiResponse>(&staff)) return std::move(*denied);
  auto body = body_object(request);
  ApiResponse response =
      body ? handle(*body) : error_response(http::status::bad_request, "Request body must be a JSON object");
  response.user = std::get<UserRecord>(staff).username;
  return response;
}

}  // namespace thumbgen::server
