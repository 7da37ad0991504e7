// POST /api/v1/login/jwt {"username","password"} → {"access_token","token_type":"bearer","expires_in"}, and
// POST /api/v1/login/logout-all (bearer token, no body) → 204: every token of that user is refused from then on.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "server/api_handlers.h"
#include "util/ascii.h"

namespace thumbgen::server {

namespace {

// Only application/json, parameters (charset) allowed. A cross-site HTML form can post urlencoded, multipart or
// text/plain bodies without a CORS preflight; none of them, nor a body without a type, reaches the password check.
bool is_json_media_type(std::string_view value) {
  std::string_view type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return util::iequals_ascii(type, "application/json");
}

}  // namespace

ApiResponse Api::login(ApiRequest& request) {
  if (!is_json_media_type(request.header(http::field::content_type))) {
    return error_response(http::status::unsupported_media_type, "Content-Type must be application/json");
  }
  nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
  if (!body.is_object() || !body.contains("username") || !body.contains("password") || !body["username"].is_string() ||
      !body["password"].is_string()) {
    return error_response(http::status::bad_request, "username and password are required");
  }
  std::string username = body["username"].get<std::string>();
  std::string password = body["password"].get<std::string>();
  if (username.size() > 150 || password.size() > 4096) {
    return error_response(http::status::unauthorized, "Invalid credentials");
  }
  const std::string client =
      client_address(request.client_address, forwarded_for(request.raw), settings_.trusted_proxies);
  const std::string bucket = address_bucket(client);
  if (auto wait = login_limiter_.admit(username, bucket)) {
    spdlog::warn("login throttled: client={} retry_after={}s", client, wait->count());
    ApiResponse limited = error_response(http::status::too_many_requests, "Too many login attempts, try again later");
    limited.headers.emplace_back("Retry-After", std::to_string(wait->count()));
    return limited;
  }
  auto user = catalogue_.find_user(username);
  // Unknown users cost one hash too, so response time does not reveal which names exist.
  bool password_ok = verify_password(password, user ? std::string_view(user->password_hash) : dummy_hash_);
  if (!user || !password_ok || !user->is_active) {
    return error_response(http::status::unauthorized, "Invalid credentials");  // admit() counted it already
  }
  login_limiter_.succeeded(username, bucket);
  if (password_needs_rehash(user->password_hash)) {  // e.g. an imported Django pbkdf2 hash
    // A new hash is a new stamp (earlier tokens end, as with any password write): sign with the one it now has.
    catalogue_.set_password(user->username, hash_password(password));
    user = catalogue_.find_user(username);
    if (!user) return error_response(http::status::unauthorized, "Invalid credentials");
  }
  return issue_token(*user, unix_now());  // a password login starts a session
}

ApiResponse Api::logout_all(ApiRequest& request) {
  auto user = authenticate(request);  // before the body is looked at
  if (auto* refused = std::get_if<ApiResponse>(&user)) return std::move(*refused);
  const UserRecord& caller = std::get<UserRecord>(user);
  if (!catalogue_.revoke_tokens(caller.username))
    return error_response(http::status::unauthorized, "Invalid or expired token");
  spdlog::info("logout-all: every token of {} revoked", caller.username);
  ApiResponse response;
  response.status = http::status::no_content;
  response.content_type.clear();
  response.user = caller.username;
  return response;
}

}  // namespace thumbgen::server
