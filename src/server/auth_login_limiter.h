// Login throttling that nobody can turn against an admin: failures are counted per (user, client address) and per
// client address, never per user alone, so guessing from one place never refuses the right password from another.
// The counts live in the catalogue (its login_failures table), so every server sharing a catalogue shares them:
// behind a round-robin front, or reached directly, two servers give a guesser no more tries than one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "server/catalogue.h"

namespace thumbgen::server {

struct LoginLimits {
  int max_failures = 10;          // per (user, client address) within the window
  int address_max_failures = 50;  // per client address, whatever names it tries (one place guessing many users)
  std::chrono::seconds window{900};
  std::size_t max_entries = 100'000;  // the table's cap: the least recently failed entries make room
};

// Thread-safe, and safe across processes on one catalogue. The table stays bounded: entries expire a window after
// their last failure (each admitted attempt prunes those), and a table over max_entries loses its oldest entries.
//
// Time is the database's clock (unix milliseconds; PostgreSQL's clock_timestamp(), SQLite's 'now'), never a
// server's: servers whose clocks differ a little still agree when a window ends. Tests may pass the time instead.
class LoginLimiter {
 public:
  LoginLimiter(Catalogue& catalogue, LoginLimits limits);

  // Lets one attempt of `username` from `address` through, or answers how long until it may try again. An admitted
  // attempt already counts as a failure (until succeeded()), so concurrent guesses cannot slip past the limit, on
  // one server or several. `now`: unix milliseconds; nullopt = the database's clock.
  std::optional<std::chrono::seconds> admit(std::string_view username, std::string_view address,
                                            std::optional<std::chrono::milliseconds> now = std::nullopt);
  // The admitted attempt had the right password: the pair's failures are forgotten, the address's provisional count
  // is taken back (its other failures stay: one address guessing many users stays limited).
  void succeeded(std::string_view username, std::string_view address);

  std::size_t entries();

 private:
  void evict_over_cap(sql::Connection& db, const std::string& pair, const std::string& place);

  Catalogue& catalogue_;
  LoginLimits limits_;
  // Counting the table costs a scan of it: done once per this many new entries (a hundredth of the cap), so the
  // table may pass its cap by that much per server between two counts.
  std::size_t count_every_ = 1;
  std::atomic<std::size_t> new_entries_{0};
};

}  // namespace thumbgen::server
