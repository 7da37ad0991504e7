#include "server/s3_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <stdexcept>

#include "util/ascii.h"
#include "util/base64.h"
#include "util/percent_encoding.h"

namespace thumbgen::server {

namespace {

using Digest = std::array<std::uint8_t, 32>;

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t byte : bytes) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

Digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view message) {
  Digest out{};
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(message).data(), message.size(),
            out.data(), &length) ||
      length != out.size())
    throw std::runtime_error("HMAC-SHA256 failed");
  return out;
}

// Leading and trailing spaces gone, runs of spaces inside made one (SigV4's Trimall).
std::string trim_all(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> canonical_headers(const SigV4Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) headers.emplace_back(util::to_lower_ascii(name), trim_all(value));
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string signed_header_names(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string names;
  for (const auto& header : headers) names += (names.empty() ? "" : ";") + header.first;
  return names;
}

}  // namespace

std::string sigv4_uri_encode(std::string_view text, bool keep_slash) {
  return util::percent_encode(text, keep_slash);  // the same unreserved set, upper-case hex
}

std::string sigv4_canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : query)
    encoded.emplace_back(sigv4_uri_encode(name, false), sigv4_uri_encode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) out += (out.empty() ? "" : "&") + name + "=" + value;
  return out;
}

std::string sigv4_canonical_request(const SigV4Request& request) {
  const auto headers = canonical_headers(request);
  std::string out = request.method + "\n" + request.canonical_uri + "\n" + sigv4_canonical_query(request.query) + "\n";
  for (const auto& [name, value] : headers) out += name + ":" + value + "\n";
  return out + "\n" + signed_header_names(headers) + "\n" + request.payload_sha256_hex;
}

std::string sigv4_authorization(const SigV4Request& request, const SigV4Credentials& credentials,
                                std::string_view region, std::string_view amz_date, std::string_view service) {
  if (amz_date.size() != 16) throw std::invalid_argument("x-amz-date must look like 20130524T000000Z");
  const std::string date(amz_date.substr(0, 8));
  const std::string scope = date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" +
                                     sha256_hex(bytes_of(sigv4_canonical_request(request)));
  const std::string secret = "AWS4" + credentials.secret_access_key;
  const Digest date_key = hmac_sha256(bytes_of(secret), date);
  const Digest region_key = hmac_sha256(date_key, region);
  const Digest service_key = hmac_sha256(region_key, service);
  const Digest signing_key = hmac_sha256(service_key, "aws4_request");
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
         ",SignedHeaders=" + signed_header_names(canonical_headers(request)) +
         ",Signature=" + hex(hmac_sha256(signing_key, string_to_sign));
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return hex(digest);
}

std::string md5_base64(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, 16> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 failed");
  return util::encode_base64(digest);
}

std::string amz_date(std::int64_t unix_seconds) {
  const std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[17];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

}  // namespace thumbgen::server
