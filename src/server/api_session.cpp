// POST /api/v1/login/refresh (bearer token, no body) → a new token of the same session: the admin pages renew theirs
// before it expires, up to THUMBGEN_SESSION_MAX_AGE after the password login (the auth_time claim), and a revoked
// token (logout, a new password) is refused like everywhere.
#include <spdlog/spdlog.h>

#include "server/api_handlers.h"
#include "server/auth_session.h"

namespace thumbgen::server {

ApiResponse Api::issue_token(const UserRecord& user, std::int64_t auth_time) {
  const std::int64_t now = unix_now();
  auto expiry =
      session_token_expiry(auth_time, now, settings_.token_ttl_seconds, settings_.admin.session_max_age_seconds);
  if (!expiry) {
    ApiResponse expired = error_response(http::status::unauthorized, "Session expired");
    expired.headers.emplace_back("WWW-Authenticate", "Bearer");
    expired.user = user.username;
    return expired;
  }
  JwtClaims claims;
  claims.subject = user.username;
  claims.stamp = user.auth_stamp;
  claims.issued_at = now;
  claims.auth_time = auth_time;
  claims.expires_at = *expiry;
  ApiResponse response = json_response(
      http::status::ok,
      {{"access_token", jwt_sign(keyring_, claims)}, {"token_type", "bearer"}, {"expires_in", *expiry - now}});
  response.user = user.username;
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ApiResponse Api::refresh_login(ApiRequest& request) {
  auto user = authenticate(request);  // the token is current: signed, unexpired, its stamp the user's
  if (auto* refused = std::get_if<ApiResponse>(&user)) return std::move(*refused);
  auto verified = jwt_verify(keyring_, bearer_token(request), unix_now());
  if (std::holds_alternative<JwtError>(verified)) {  // expired in the instant since authenticate()
    ApiResponse expired = error_response(http::status::unauthorized, "Invalid or expired token");
    expired.headers.emplace_back("WWW-Authenticate", "Bearer");
    return expired;
  }
  const JwtClaims& claims = std::get<JwtClaims>(verified);
  // Tokens issued before auth_time existed began their session when they were issued.
  const std::int64_t auth_time = claims.auth_time != 0 ? claims.auth_time : claims.issued_at;
  ApiResponse response = issue_token(std::get<UserRecord>(user), auth_time);
  if (response.status == http::status::unauthorized) spdlog::info("refresh: the session of {} is over", claims.subject);
  return response;
}

}  // namespace thumbgen::server
