// Login throttling that nobody can turn against an admin: failures are counted per (user, client address) and per
// client address, never per user alone, so guessing from one place never refuses the right password from another.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace thumbgen::server {

struct LoginLimits {
  int max_failures = 10;          // per (user, client address) within the window
  int address_max_failures = 50;  // per client address, whatever names it tries (one place guessing many users)
  std::chrono::seconds window{900};
  std::size_t max_entries = 100'000;  // the table's cap: the least recently touched entry makes room
};

// Thread-safe; memory bounded by max_entries, and entries expire a window after they were last touched.
class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginLimiter(LoginLimits limits);

  // Lets one attempt of `username` from `address` through, or answers how long until it may try again. An admitted
  // attempt already counts as a failure (until succeeded()), so concurrent guesses cannot slip past the limit.
  std::optional<std::chrono::seconds> admit(std::string_view username, std::string_view address, Clock::time_point now);
  // The admitted attempt had the right password: the pair's failures are forgotten, the address's provisional count
  // is taken back (its other failures stay: one address guessing many users stays limited).
  void succeeded(std::string_view username, std::string_view address);

  std::size_t entries() const;

 private:
  struct Entry {
    int failures = 0;
    // Failures count until a whole window has passed since the last one (a sliding window: no burst of twice the
    // limit across a window's edge); last_touch orders eviction.
    Clock::time_point last_failure, last_touch;
    std::list<std::string>::iterator lru;
  };
  Entry* live_entry(const std::string& key, Clock::time_point now);  // nullptr when absent or a window old
  Entry& touch(const std::string& key, Clock::time_point now);       // creates it (evicting when full)
  void erase(std::unordered_map<std::string, Entry>::iterator it);
  void expire(Clock::time_point now);

  LoginLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front = most recently touched
};

}  // namespace thumbgen::server
