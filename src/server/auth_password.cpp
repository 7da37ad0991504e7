#include "server/auth_password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "util/base64.h"

namespace thumbgen::server {
namespace {

// Costs above these are refused before hashing: a planted hash must not make one login burn minutes or gigabytes.
constexpr std::uint64_t kMaxPbkdf2Iterations = 10'000'000;
constexpr std::uint64_t kMaxArgon2MemoryKiB = 256 * 1024;
constexpr std::uint64_t kMaxArgon2Passes = 16;
constexpr std::uint64_t kMaxArgon2Lanes = 16;
constexpr std::size_t kMaxPasswordBytes = 4096;

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  });
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool parse_decimal(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 12 || (text.size() > 1 && text[0] == '0')) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// "m=65536,t=2,p=1" → true when well formed and within our cost caps.
bool argon2_parameters_acceptable(std::string_view parameters) {
  const auto fields = split(parameters, ',');
  if (fields.size() != 3) return false;
  std::uint64_t memory = 0, passes = 0, lanes = 0;
  if (!fields[0].starts_with("m=") || !parse_decimal(fields[0].substr(2), memory)) return false;
  if (!fields[1].starts_with("t=") || !parse_decimal(fields[1].substr(2), passes)) return false;
  if (!fields[2].starts_with("p=") || !parse_decimal(fields[2].substr(2), lanes)) return false;
  return memory <= kMaxArgon2MemoryKiB && passes >= 1 && passes <= kMaxArgon2Passes && lanes >= 1 &&
         lanes <= kMaxArgon2Lanes;
}

// libsodium string "$argon2id$v=19$m=..,t=..,p=..$salt$hash".
bool verify_sodium_argon2id(std::string_view password, std::string_view stored) {
  const auto parts = split(stored, '$');
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "argon2id" || parts[2] != "v=19" ||
      !argon2_parameters_acceptable(parts[3]))
    return false;
  if (stored.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(stored);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

// Django "pbkdf2_sha256$iterations$salt$base64(hash)": the salt is used as its UTF-8 text.
bool verify_django_pbkdf2(std::string_view password, std::string_view stored) {
  const auto parts = split(stored, '$');
  if (parts.size() != 4 || parts[0] != "pbkdf2_sha256" || parts[2].empty()) return false;
  std::uint64_t iterations = 0;
  if (!parse_decimal(parts[1], iterations) || iterations < 1 || iterations > kMaxPbkdf2Iterations) return false;
  std::vector<std::uint8_t> expected;
  if (!util::decode_base64_strict(parts[3], expected) || expected.size() < 16 || expected.size() > 64) return false;
  std::vector<std::uint8_t> derived(expected.size());
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(parts[2].data()), static_cast<int>(parts[2].size()),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(derived.size()),
                        derived.data()) != 1)
    return false;
  return CRYPTO_memcmp(derived.data(), expected.data(), expected.size()) == 0;
}

// Django "argon2$argon2id$v=19$m=..,t=..,p=..$salt$hash" (argon2-cffi encoding: unpadded standard base64, the
// same as libsodium's), so dropping the "argon2" prefix yields a string libsodium verifies.
bool verify_django_argon2(std::string_view password, std::string_view stored) {
  constexpr std::string_view kPrefix = "argon2$argon2id$";
  if (!stored.starts_with(kPrefix)) return false;
  return verify_sodium_argon2id(password, stored.substr(std::string_view("argon2").size()));
}

}  // namespace

std::string hash_password(std::string_view password) {
  ensure_sodium();
  if (password.size() > kMaxPasswordBytes) throw std::invalid_argument("password too long");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing failed (out of memory)");
  return out;
}

bool verify_password(std::string_view password, std::string_view stored_hash) {
  ensure_sodium();
  if (password.size() > kMaxPasswordBytes || stored_hash.size() > 512) return false;
  if (stored_hash.starts_with("$argon2id$")) return verify_sodium_argon2id(password, stored_hash);
  if (stored_hash.starts_with("pbkdf2_sha256$")) return verify_django_pbkdf2(password, stored_hash);
  if (stored_hash.starts_with("argon2$")) return verify_django_argon2(password, stored_hash);
  return false;
}

bool verify_password_against_dummy(std::string_view password) {
  static const std::string dummy = hash_password("thumbgen dummy password for unknown users");
  verify_password(password, dummy);
  return false;
}

bool password_needs_rehash(std::string_view stored_hash) {
  ensure_sodium();
  if (!stored_hash.starts_with("$argon2id$") || stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

}  // namespace thumbgen::server
