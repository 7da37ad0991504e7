#include "server/auth_login_limiter.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace thumbgen::server {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t kMaxKeyPart = 256;  // a megabyte username cannot make a longer key
constexpr int kPruneBatch = 1000;         // expired rows one admitted attempt removes at most

// A row's key: a digest, so the table keeps neither the names tried (a password typed into the name field) nor the
// addresses, and every key is valid text of one size on both engines.
std::string digest_key(std::string_view material) {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(material.data()), material.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string address_key(std::string_view address) {
  return digest_key("a:" + std::string(address.substr(0, kMaxKeyPart)));
}

// The address's length first, so no (address, username) split can collide with another.
std::string pair_key(std::string_view username, std::string_view address) {
  address = address.substr(0, kMaxKeyPart);
  return digest_key("p:" + std::to_string(address.size()) + ":" + std::string(address) +
                    std::string(username.substr(0, kMaxKeyPart)));
}

// PostgreSQL: every attempt from one address takes this transaction lock first, so the read, the decision and the
// write of its two rows are one step across all servers (two guesses at once cannot both see room for one more).
// Taken before any row is touched, and the pruning below never waits, so no two transactions can deadlock.
// SQLite needs none: BEGIN IMMEDIATE makes each transaction the only writer.
void lock_address(sql::Connection& db, const std::string& key) {
  if (db.dialect() != sql::Dialect::Postgres) return;
  const auto id = static_cast<std::int64_t>(std::stoull(key.substr(0, 15), nullptr, 16));
  db.cached("SELECT pg_advisory_xact_lock(?)")->bind(1, id).run();
}

// " FOR UPDATE SKIP LOCKED" on PostgreSQL: a cleanup takes the rows nobody holds and never waits for one.
const char* skip_locked(sql::Dialect dialect) {
  return dialect == sql::Dialect::Postgres ? " FOR UPDATE SKIP LOCKED" : "";
}

// The failures and last failure of the pair (columns 1, 2) and the address (3, 4), NULL when absent, and the time
// (column 0): ?1 when given, else the database's clock in unix milliseconds.
std::string read_sql(sql::Dialect dialect) {
  const char* clock = dialect == sql::Dialect::Postgres
                          ? "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
                          : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  return std::string("SELECT coalesce(?1, ") + clock +
         "), p.failures, p.last_failure, a.failures, a.last_failure FROM (SELECT 1) AS one "
         "LEFT JOIN login_failures p ON p.key = ?2 LEFT JOIN login_failures a ON a.key = ?3";
}

struct Count {
  bool exists = false;
  std::int64_t failures = 0, last_failure = 0;  // failures: 0 once a window has passed since the last one
};

Count read_count(const sql::Statement& row, int column, std::int64_t now, std::int64_t window) {
  Count count;
  if (row.is_null(column)) return count;
  count.exists = true;
  count.last_failure = row.int64(column + 1);
  // A sliding window: failures count until a whole window has passed since the last one (no burst of twice the
  // limit across a window's edge).
  if (now - count.last_failure < window) count.failures = row.int64(column);
  return count;
}

}  // namespace

LoginLimiter::LoginLimiter(Catalogue& catalogue, LoginLimits limits) : catalogue_(catalogue), limits_(limits) {
  limits_.max_failures = std::max(1, limits_.max_failures);
  limits_.address_max_failures = std::max(1, limits_.address_max_failures);
  limits_.window = std::max(limits_.window, seconds(1));
  limits_.max_entries = std::max<std::size_t>(2, limits_.max_entries);
  count_every_ = std::max<std::size_t>(1, limits_.max_entries / 100);
}

std::optional<seconds> LoginLimiter::admit(std::string_view username, std::string_view address,
                                           std::optional<milliseconds> given_now) {
  const std::string pair = pair_key(username, address), place = address_key(address);
  const std::int64_t window = milliseconds(limits_.window).count();
  return catalogue_.with_connection([&](sql::Connection& db) -> std::optional<seconds> {
    const sql::Dialect dialect = db.dialect();
    sql::Transaction transaction(db);
    lock_address(db, place);
    static const std::string read_sqlite = read_sql(sql::Dialect::Sqlite),
                             read_postgres = read_sql(sql::Dialect::Postgres);
    Count pair_count, place_count;
    std::int64_t now = 0;
    {
      auto read = db.cached(dialect == sql::Dialect::Postgres ? read_postgres : read_sqlite);
      if (given_now) {
        read->bind(1, static_cast<std::int64_t>(given_now->count()));
      } else {
        read->bind_null(1);
      }
      read->bind(2, pair).bind(3, place);
      if (!read->step()) throw std::runtime_error("login failures: the read returned no row");
      now = read->int64(0);
      pair_count = read_count(*read, 1, now, window);
      place_count = read_count(*read, 3, now, window);
    }
    std::int64_t wait = 0;
    if (pair_count.failures >= limits_.max_failures) wait = std::max(wait, pair_count.last_failure + window - now);
    if (place_count.failures >= limits_.address_max_failures)
      wait = std::max(wait, place_count.last_failure + window - now);
    if (wait > 0) return std::max(seconds(1), std::chrono::ceil<seconds>(milliseconds(wait)));

    // Admitted: counted as a failure now, taken back by succeeded().
    db.cached(
          "INSERT INTO login_failures (key, failures, last_failure) VALUES (?1, ?2, ?3), (?4, ?5, ?6) "
          "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure")
        ->bind(1, pair)
        .bind(2, pair_count.failures + 1)
        .bind(3, std::max(pair_count.last_failure, now))
        .bind(4, place)
        .bind(5, place_count.failures + 1)
        .bind(6, std::max(place_count.last_failure, now))
        .run();
    // Last, as they take rows of other addresses: a window old (pruned), the oldest over the cap (evicted).
    static const std::string prune_sqlite =
        std::string(
            "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures WHERE last_failure <= ?1 "
            "ORDER BY last_failure LIMIT ") +
        std::to_string(kPruneBatch) + ")";
    static const std::string prune_postgres =
        prune_sqlite.substr(0, prune_sqlite.size() - 1) + skip_locked(sql::Dialect::Postgres) + ")";
    db.cached(dialect == sql::Dialect::Postgres ? prune_postgres : prune_sqlite)->bind(1, now - window).run();
    const std::size_t created = (pair_count.exists ? 0 : 1) + (place_count.exists ? 0 : 1);
    const std::size_t before = new_entries_.fetch_add(created);
    if (created > 0 && (before + created) / count_every_ != before / count_every_) evict_over_cap(db, pair, place);
    transaction.commit();
    return std::nullopt;
  });
}

// The least recently failed entries go until the table is within its cap; the two just written stay.
void LoginLimiter::evict_over_cap(sql::Connection& db, const std::string& pair, const std::string& place) {
  std::int64_t rows = 0;
  {
    auto count = db.cached("SELECT count(*) FROM login_failures");
    if (count->step()) rows = count->int64(0);
  }
  const auto cap = static_cast<std::int64_t>(limits_.max_entries);
  if (rows <= cap) return;
  static const std::string evict_sqlite =
      "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures WHERE key <> ?2 AND key <> ?3 "
      "ORDER BY last_failure, key LIMIT ?1)";
  static const std::string evict_postgres =
      evict_sqlite.substr(0, evict_sqlite.size() - 1) + skip_locked(sql::Dialect::Postgres) + ")";
  db.cached(db.dialect() == sql::Dialect::Postgres ? evict_postgres : evict_sqlite)
      ->bind(1, rows - cap)
      .bind(2, pair)
      .bind(3, place)
      .run();
}

void LoginLimiter::succeeded(std::string_view username, std::string_view address) {
  const std::string pair = pair_key(username, address), place = address_key(address);
  catalogue_.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    lock_address(db, place);
    db.cached("DELETE FROM login_failures WHERE key = ?")->bind(1, pair).run();
    db.cached("UPDATE login_failures SET failures = failures - 1 WHERE key = ? AND failures > 0")->bind(1, place).run();
    transaction.commit();
  });
}

std::size_t LoginLimiter::entries() {
  return catalogue_.with_connection([](sql::Connection& db) {
    auto count = db.cached("SELECT count(*) FROM login_failures");
    return count->step() ? static_cast<std::size_t>(count->int64(0)) : std::size_t{0};
  });
}

}  // namespace thumbgen::server
