// Password hashing (argon2id via libsodium) and verification of existing Django hashes, plus login rate limiting.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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

// Counts failed logins per username and per client address in a sliding window; thread-safe, bounded memory.
class LoginRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginRateLimiter(int max_failures = 10, std::chrono::seconds window = std::chrono::minutes(15),
                            std::size_t max_keys = 100'000);

  // False when either the user or the address has max_failures failures within the window.
  bool allowed(std::string_view username, std::string_view client_address, Clock::time_point now);
  void record_failure(std::string_view username, std::string_view client_address, Clock::time_point now);
  // Clears the user's counter (the address keeps its count: one address guessing many users stays limited).
  void record_success(std::string_view username, std::string_view client_address);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point window_start;
    std::list<std::string>::iterator lru;
  };
  bool blocked(const std::string& key, Clock::time_point now);
  void add_failure(std::string key, Clock::time_point now);

  int max_failures_;
  std::chrono::seconds window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front = most recently touched
};

}  // namespace thumbgen::server
