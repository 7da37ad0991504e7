#include "server/auth_login_limiter.h"

#include <algorithm>

namespace thumbgen::server {

namespace {

constexpr std::size_t kMaxKeyPart = 256;  // a megabyte username cannot inflate the table

std::string address_key(std::string_view address) { return "a:" + std::string(address.substr(0, kMaxKeyPart)); }

// The address's length first, so no (address, username) split can collide with another.
std::string pair_key(std::string_view username, std::string_view address) {
  address = address.substr(0, kMaxKeyPart);
  return "p:" + std::to_string(address.size()) + ":" + std::string(address) +
         std::string(username.substr(0, kMaxKeyPart));
}

}  // namespace

LoginLimiter::LoginLimiter(LoginLimits limits) : limits_(limits) {
  limits_.max_failures = std::max(1, limits_.max_failures);
  limits_.address_max_failures = std::max(1, limits_.address_max_failures);
  limits_.window = std::max(limits_.window, std::chrono::seconds(1));
  limits_.max_entries = std::max<std::size_t>(2, limits_.max_entries);
}

void LoginLimiter::erase(std::unordered_map<std::string, Entry>::iterator it) {
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

// The least recently touched entries are at the back: drop those not touched for a whole window (their own window
// is over too, as touching an entry whose window is over restarts it).
void LoginLimiter::expire(Clock::time_point now) {
  while (!lru_.empty()) {
    auto it = entries_.find(lru_.back());
    if (now - it->second.last_touch < limits_.window) break;
    erase(it);
  }
}

LoginLimiter::Entry* LoginLimiter::live_entry(const std::string& key, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (now - it->second.last_failure >= limits_.window) {
    erase(it);
    return nullptr;
  }
  return &it->second;
}

LoginLimiter::Entry& LoginLimiter::touch(const std::string& key, Clock::time_point now) {
  Entry* entry = live_entry(key, now);
  if (entry == nullptr) {
    while (entries_.size() >= limits_.max_entries) erase(entries_.find(lru_.back()));
    lru_.push_front(key);
    entry = &entries_.emplace(key, Entry{0, now, now, lru_.begin()}).first->second;
  } else {
    lru_.splice(lru_.begin(), lru_, entry->lru);
  }
  entry->last_touch = std::max(entry->last_touch, now);
  entry->last_failure = std::max(entry->last_failure, now);
  return *entry;
}

std::optional<std::chrono::seconds> LoginLimiter::admit(std::string_view username, std::string_view address,
                                                        Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire(now);
  const std::string pair = pair_key(username, address), place = address_key(address);
  Clock::duration wait{0};
  if (Entry* entry = live_entry(pair, now); entry && entry->failures >= limits_.max_failures)
    wait = std::max(wait, entry->last_failure + limits_.window - now);
  if (Entry* entry = live_entry(place, now); entry && entry->failures >= limits_.address_max_failures)
    wait = std::max(wait, entry->last_failure + limits_.window - now);
  if (wait > Clock::duration::zero()) {
    return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
  }
  ++touch(pair, now).failures;
  ++touch(place, now).failures;
  return std::nullopt;
}

void LoginLimiter::succeeded(std::string_view username, std::string_view address) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(pair_key(username, address)); it != entries_.end()) erase(it);
  if (auto it = entries_.find(address_key(address)); it != entries_.end() && it->second.failures > 0)
    --it->second.failures;
}

std::size_t LoginLimiter::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace thumbgen::server
