// AWS Signature Version 4 for the S3 API, on OpenSSL: the canonical request, the string to sign and the
// Authorization header.
//
// Why our own signer rather than curl's CURLOPT_AWS_SIGV4: Debian's libcurl 7.88.1 signs plain PUT/GET/HEAD/DELETE
// correctly, but not unsorted query strings, sub-resources like `?uploads`, or '=' in keys, and ListObjectsV2 sends
// a continuation token that is base64 ('+', '/', '='). One small signer that owns the whole canonical form (checked
// against AWS's published examples and botocore in tests/s3_signer_test.cpp, and by a verifying S3 server in
// tests/s3_storage_test.cpp) is easier to trust than curl's subset
// plus our own query sorting on top of it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace thumbgen::server {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

struct SigV4Request {
  std::string method;                                        // "GET", "PUT", ...
  std::string canonical_uri;                                 // the URI-encoded path, as sent ("/bucket/key")
  std::vector<std::pair<std::string, std::string>> query;    // decoded names and values, in any order
  std::vector<std::pair<std::string, std::string>> headers;  // every signed header, any case (host included)
  std::string payload_sha256_hex;                            // also sent as x-amz-content-sha256
};

// Every byte but A-Z a-z 0-9 - . _ ~ as upper-case %XX ('/' kept when `keep_slash`): SigV4's UriEncode.
std::string sigv4_uri_encode(std::string_view text, bool keep_slash);
// name=value pairs, each encoded, sorted by encoded name then value, joined by '&' (also the query to send).
std::string sigv4_canonical_query(const std::vector<std::pair<std::string, std::string>>& query);
std::string sigv4_canonical_request(const SigV4Request& request);
// "AWS4-HMAC-SHA256 Credential=.../<date>/<region>/<service>/aws4_request,SignedHeaders=...,Signature=...".
// `amz_date` is the x-amz-date header's value ("20130524T000000Z"), which must be among the signed headers.
std::string sigv4_authorization(const SigV4Request& request, const SigV4Credentials& credentials,
                                std::string_view region, std::string_view amz_date, std::string_view service = "s3");

// Lower-case hex SHA-256, and base64 MD5 (Content-MD5) of bytes.
std::string sha256_hex(std::span<const std::uint8_t> bytes);
std::string md5_base64(std::span<const std::uint8_t> bytes);
// "YYYYMMDDTHHMMSSZ" of a Unix time (UTC).
std::string amz_date(std::int64_t unix_seconds);

}  // namespace thumbgen::server
