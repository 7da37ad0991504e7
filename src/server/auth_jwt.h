// HS256 JSON Web Tokens on OpenSSL HMAC (DESIGN §5: Debian's libjwt and libcpp-jwt were measured unsafe).
// Rules: alg pinned to HS256, strict unpadded base64url, exp required, nbf/iat honoured with bounded skew,
// constant-time signature compare, kid selects the key (rotation).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace thumbgen::server {

struct JwtKey {
  std::string kid;
  std::vector<std::uint8_t> secret;  // at least 32 random bytes
};

class JwtKeyring {
 public:
  // The first key signs; the others still verify (rotation). Throws std::invalid_argument when empty, when a
  // secret is shorter than 32 bytes, or when a kid is empty, repeated or not [A-Za-z0-9._-].
  explicit JwtKeyring(std::vector<JwtKey> keys);
  // A fresh key of 32 bytes from RAND_bytes.
  static JwtKey generate_key(std::string kid);

  const JwtKey& signing_key() const { return keys_.front(); }
  const JwtKey* find(std::string_view kid) const;
  const std::vector<JwtKey>& keys() const { return keys_; }

 private:
  std::vector<JwtKey> keys_;
};

struct JwtClaims {
  std::string subject;                                         // username
  std::int64_t issued_at = 0, not_before = 0, expires_at = 0;  // unix seconds; 0 = absent (exp is always written)
  std::string stamp{};  // the user's auth stamp at issue (revocation: see UserRecord); "" = absent ({}: -Wextra)
  // When the session began (the password login); refreshed tokens keep it, so a session ends at
  // auth_time + THUMBGEN_SESSION_MAX_AGE however often it is renewed. 0 = absent (tokens from before it existed).
  std::int64_t auth_time = 0;
};

// Header {"alg":"HS256","typ":"JWT","kid":...}; payload {"sub","iat","nbf","exp","stamp","auth_time"} (iat, nbf and
// auth_time only when non-zero, stamp only when non-empty).
std::string jwt_sign(const JwtKeyring& keyring, const JwtClaims& claims);

enum class JwtError { Malformed, BadAlgorithm, UnknownKey, BadSignature, Expired, NotYetValid, MissingExpiry };

constexpr std::size_t kMaxJwtLength = 8 * 1024;

std::variant<JwtClaims, JwtError> jwt_verify(const JwtKeyring& keyring, std::string_view token, std::int64_t now_unix,
                                             std::int64_t max_skew_seconds = 60);

// Short text for logs (never shown to clients beyond "Invalid token").
const char* describe(JwtError error);

// A keyring file holds lines "kid base64secret" (first line signs). Created with mode 0600 and one fresh key when
// missing. Throws std::runtime_error on unreadable/invalid files.
JwtKeyring load_or_create_keyring(const std::filesystem::path& file);

}  // namespace thumbgen::server
