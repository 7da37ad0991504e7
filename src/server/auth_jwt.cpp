#include "server/auth_jwt.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "util/base64.h"

namespace thumbgen::server {
namespace {

constexpr std::size_t kMinSecretBytes = 32;
constexpr std::size_t kMaxSecretBytes = 1024;
using Mac = std::array<std::uint8_t, 32>;

bool is_valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > 64) return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Mac hmac_sha256(const std::vector<std::uint8_t>& secret, std::string_view data) {
  Mac mac{};
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length) ||
      length != mac.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return mac;
}

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Parses a base64url segment holding a JSON object; nullopt-like discarded value on any error.
nlohmann::json parse_segment(std::string_view segment) {
  std::vector<std::uint8_t> bytes;
  if (!util::decode_base64url_strict(segment, bytes)) return nlohmann::json(nlohmann::json::value_t::discarded);
  auto json = nlohmann::json::parse(as_text(bytes), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return nlohmann::json(nlohmann::json::value_t::discarded);
  return json;
}

// Reads an optional integer claim. False when present but not an integer within int64.
bool read_time_claim(const nlohmann::json& payload, const char* name, std::int64_t& value, bool& present) {
  present = false;
  auto it = payload.find(name);
  if (it == payload.end()) return true;
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    value = it->get<std::int64_t>();
  } else if (it->is_number_unsigned()) {
    const auto unsigned_value = it->get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(INT64_MAX)) return false;
    value = static_cast<std::int64_t>(unsigned_value);
  } else {
    return false;  // floats and strings are not NumericDate as we issue them
  }
  present = true;
  return true;
}

}  // namespace

JwtKeyring::JwtKeyring(std::vector<JwtKey> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) throw std::invalid_argument("JWT keyring is empty");
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (!is_valid_kid(keys_[i].kid)) throw std::invalid_argument("JWT key id is empty or has invalid characters");
    if (keys_[i].secret.size() < kMinSecretBytes || keys_[i].secret.size() > kMaxSecretBytes)
      throw std::invalid_argument("JWT secret must be 32 to 1024 bytes");
    for (std::size_t j = 0; j < i; ++j)
      if (keys_[j].kid == keys_[i].kid) throw std::invalid_argument("duplicate JWT key id " + keys_[i].kid);
  }
}

JwtKey JwtKeyring::generate_key(std::string kid) {
  JwtKey key{std::move(kid), std::vector<std::uint8_t>(kMinSecretBytes)};
  if (RAND_bytes(key.secret.data(), static_cast<int>(key.secret.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return key;
}

const JwtKey* JwtKeyring::find(std::string_view kid) const {
  for (const auto& key : keys_)
    if (key.kid == kid) return &key;
  return nullptr;
}

std::string jwt_sign(const JwtKeyring& keyring, const JwtClaims& claims) {
  const JwtKey& key = keyring.signing_key();
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.kid}};
  nlohmann::json payload = {{"sub", claims.subject}, {"exp", claims.expires_at}};
  if (claims.issued_at != 0) payload["iat"] = claims.issued_at;
  if (claims.not_before != 0) payload["nbf"] = claims.not_before;
  if (!claims.stamp.empty()) payload["stamp"] = claims.stamp;
  if (claims.auth_time != 0) payload["auth_time"] = claims.auth_time;
  auto encode_json = [](const nlohmann::json& json) {
    const std::string text = json.dump();
    return util::encode_base64url({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  };
  std::string token = encode_json(header) + "." + encode_json(payload);
  const Mac mac = hmac_sha256(key.secret, token);
  return token + "." + util::encode_base64url(mac);
}

std::variant<JwtClaims, JwtError> jwt_verify(const JwtKeyring& keyring, std::string_view token, std::int64_t now_unix,
                                             std::int64_t max_skew_seconds) {
  if (token.empty() || token.size() > kMaxJwtLength) return JwtError::Malformed;
  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return JwtError::Malformed;
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return JwtError::Malformed;
  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view payload_segment = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_segment = token.substr(second_dot + 1);

  const nlohmann::json header = parse_segment(header_segment);
  if (header.is_discarded()) return JwtError::Malformed;
  // alg is pinned: "none", HS384/512, RS*/ES* (key-confusion) and a missing alg are all refused.
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256")
    return JwtError::BadAlgorithm;
  // We understand no critical extensions (RFC 7515 §4.1.11), so any "crit" makes the token unacceptable.
  if (header.contains("crit")) return JwtError::Malformed;

  const JwtKey* key = &keyring.signing_key();
  if (auto kid = header.find("kid"); kid != header.end()) {
    if (!kid->is_string()) return JwtError::Malformed;
    key = keyring.find(kid->get_ref<const std::string&>());
    if (key == nullptr) return JwtError::UnknownKey;
  }

  std::vector<std::uint8_t> signature, payload_bytes;
  if (!util::decode_base64url_strict(signature_segment, signature) ||
      !util::decode_base64url_strict(payload_segment, payload_bytes))
    return JwtError::Malformed;
  const Mac expected = hmac_sha256(key->secret, token.substr(0, second_dot));
  if (signature.size() != expected.size() || CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
    return JwtError::BadSignature;

  // Only a correctly signed payload is parsed further.
  const auto payload = nlohmann::json::parse(as_text(payload_bytes), nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return JwtError::Malformed;
  JwtClaims claims;
  auto sub = payload.find("sub");
  if (sub == payload.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty())
    return JwtError::Malformed;
  claims.subject = sub->get<std::string>();
  if (auto stamp = payload.find("stamp"); stamp != payload.end()) {
    if (!stamp->is_string() || stamp->get_ref<const std::string&>().empty()) return JwtError::Malformed;
    claims.stamp = stamp->get<std::string>();
  }

  bool has_exp = false, has_nbf = false, has_iat = false, has_auth_time = false;
  if (!read_time_claim(payload, "exp", claims.expires_at, has_exp) ||
      !read_time_claim(payload, "nbf", claims.not_before, has_nbf) ||
      !read_time_claim(payload, "iat", claims.issued_at, has_iat) ||
      !read_time_claim(payload, "auth_time", claims.auth_time, has_auth_time))
    return JwtError::Malformed;
  if (!has_exp) return JwtError::MissingExpiry;

  const std::int64_t skew = std::clamp<std::int64_t>(max_skew_seconds, 0, 60);
  // Compare with now ± skew (never exp + skew) so extreme claim values cannot overflow.
  if (claims.expires_at <= now_unix - skew) return JwtError::Expired;
  if (has_nbf && claims.not_before > now_unix + skew) return JwtError::NotYetValid;
  if (has_iat && claims.issued_at > now_unix + skew) return JwtError::NotYetValid;
  return claims;
}

const char* describe(JwtError error) {
  switch (error) {
    case JwtError::Malformed:
      return "malformed token";
    case JwtError::BadAlgorithm:
      return "algorithm is not HS256";
    case JwtError::UnknownKey:
      return "unknown key id";
    case JwtError::BadSignature:
      return "bad signature";
    case JwtError::Expired:
      return "token expired";
    case JwtError::NotYetValid:
      return "token not yet valid";
    case JwtError::MissingExpiry:
      return "token has no expiry";
  }
  return "unknown error";
}

namespace {

// Publishes a fresh key file at `path` only when none exists, whole or not at all: the key is written and synced
// under a temporary name, then hard-linked into place. Two servers sharing one keys file that start together both
// end up with the winner's key; neither can read a half-written file. False when another file was there first.
bool publish_new_key_file(const std::string& path, const JwtKey& key) {
  std::string temporary = path + ".new-XXXXXX";
  int fd = ::mkostemp(temporary.data(), O_CLOEXEC);  // a fresh name, created 0600
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create JWT key file " + temporary);
  const std::string line = key.kid + " " + util::encode_base64(key.secret) + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  const int linked = written ? ::link(temporary.c_str(), path.c_str()) : -1;
  const int link_error = errno;
  ::unlink(temporary.c_str());
  if (!written) throw std::runtime_error("cannot write JWT key file " + temporary);
  if (linked == 0) return true;
  if (link_error == EEXIST) return false;
  throw std::system_error(link_error, std::generic_category(), "cannot create JWT key file " + path);
}

}  // namespace

JwtKeyring load_or_create_keyring(const std::filesystem::path& file) {
  const std::string path = file.string();
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    const JwtKey key = JwtKeyring::generate_key("k1");
    if (publish_new_key_file(path, key)) return JwtKeyring({key});
  }

  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot stat JWT key file " + path);
  // Like ssh with private keys: a secret readable by others is refused rather than silently used.
  if ((info.st_mode & 077) != 0)
    throw std::runtime_error("JWT key file " + path + " must not be accessible by others (chmod 600)");
  if (info.st_size > 64 * 1024) throw std::runtime_error("JWT key file " + path + " is too large");

  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read JWT key file " + path);
  std::vector<JwtKey> keys;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    JwtKey key;
    std::string secret_text, extra;
    if (!(fields >> key.kid >> secret_text) || (fields >> extra) ||
        !util::decode_base64_strict(secret_text, key.secret))
      throw std::runtime_error("JWT key file " + path + ": bad line " + std::to_string(line_number));
    keys.push_back(std::move(key));
  }
  try {
    return JwtKeyring(std::move(keys));
  } catch (const std::invalid_argument& error) {
    throw std::runtime_error("JWT key file " + path + ": " + error.what());
  }
}

}  // namespace thumbgen::server
