// How long a login session lasts: a token is renewed (POST /api/v1/login/refresh) up to THUMBGEN_SESSION_MAX_AGE
// after the password login, never beyond, however often it is renewed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

namespace thumbgen::server {

// The expiry of a token issued at `now` for a session that began at `auth_time`: min(now + ttl, auth_time +
// max_age). nullopt when the session is over (now - auth_time >= max_age).
inline std::optional<std::int64_t> session_token_expiry(std::int64_t auth_time, std::int64_t now,
                                                        std::int64_t ttl_seconds, std::int64_t max_age_seconds) {
  if (now - auth_time >= max_age_seconds) return std::nullopt;
  return std::min(now + ttl_seconds, auth_time + max_age_seconds);
}

}  // namespace thumbgen::server
