// Password hashing (argon2id via libsodium) and verification of existing Django hashes (throttling:
// auth_login_limiter.h).
#pragma once

#include <string>
#include <string_view>

namespace thumbgen::server {

// libsodium crypto_pwhash_str, argon2id with OPSLIMIT/MEMLIMIT_INTERACTIVE: "$argon2id$v=19$m=...".
std::string hash_password(std::string_view password);

// Accepts libsodium "$argon2id$..." strings, Django "pbkdf2_sha256$iter$salt$b64hash" and Django
// "argon2$argon2id$v=19$m=..,t=..,p=..$salt$hash". Anything else (or an absurd cost) → false.
bool verify_password(std::string_view password, std::string_view stored_hash);

// Always false, but costs one argon2id verification: call it for unknown usernames so login timing does not reveal
// which users exist.
bool verify_password_against_dummy(std::string_view password);

// True when a stored hash is not our current argon2id format (the caller may rehash after a successful login).
bool password_needs_rehash(std::string_view stored_hash);

}  // namespace thumbgen::server
