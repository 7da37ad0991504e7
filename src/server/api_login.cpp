// POST /api/v1/login/jwt {"username","password"} → {"access_token","token_type":"bearer","expires_in"}.
#include <nlohmann/json.hpp>

#include "server/api_handlers.h"

namespace thumbgen::server {

ApiResponse Api::login(ApiRequest& request) {
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
  auto now = LoginRateLimiter::Clock::now();
  if (!login_limiter_.allowed(username, request.client_address, now)) {
    ApiResponse limited = error_response(http::status::too_many_requests, "Too many login attempts, try again later");
    limited.headers.emplace_back("Retry-After", std::to_string(settings_.login_window_seconds));
    return limited;
  }
  auto user = catalogue_.find_user(username);
  // Unknown users cost one hash too, so response time does not reveal which names exist.
  bool password_ok = verify_password(password, user ? std::string_view(user->password_hash) : dummy_hash_);
  if (!user || !password_ok || !user->is_active) {
    login_limiter_.record_failure(username, request.client_address, now);
    return error_response(http::status::unauthorized, "Invalid credentials");
  }
  login_limiter_.record_success(username, request.client_address);
  if (password_needs_rehash(user->password_hash)) {  // e.g. an imported Django pbkdf2 hash
    catalogue_.set_password(user->username, hash_password(password));
  }
  JwtClaims claims;
  claims.subject = user->username;
  claims.issued_at = unix_now();
  claims.expires_at = claims.issued_at + settings_.token_ttl_seconds;
  ApiResponse response = json_response(http::status::ok, {{"access_token", jwt_sign(keyring_, claims)},
                                                          {"token_type", "bearer"},
                                                          {"expires_in", settings_.token_ttl_seconds}});
  response.user = user->username;
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace thumbgen::server
