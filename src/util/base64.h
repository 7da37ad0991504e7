// Strict base64 (RFC 4648): the standard alphabet for uploads, key files and the worker's uploads, unpadded
// base64url for JWTs.
// Hand-written because OpenSSL's EVP decoder tolerates whitespace and libsodium's sodium_base642bin accepts an
// "ignore" set and partial input; here every deviation is an error.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::util {

std::string encode_base64(std::span<const std::uint8_t> bytes);     // padded, standard alphabet
std::string encode_base64url(std::span<const std::uint8_t> bytes);  // unpadded, urlsafe alphabet

// Standard alphabet, padding mandatory and correct, unused trailing bits zero, no whitespace. False on violation.
bool decode_base64_strict(std::string_view text, std::vector<std::uint8_t>& out);
// Urlsafe alphabet, no padding, unused trailing bits zero. False on violation.
bool decode_base64url_strict(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace thumbgen::util
