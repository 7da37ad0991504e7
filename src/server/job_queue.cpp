#include "server/job_queue.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace thumbgen::server {

namespace {

using sql::Dialect;

constexpr std::size_t kMaxReasonLength = 2000;

// A claimable job and the time that orders it in the queue.
struct Candidate {
  std::int64_t ready_at = 0, job_id = 0;
};

// Up to this many assets, a selection's own rows are the outer loop of a scoped claim (then sorted); a larger one
// ("Select all N matching") is checked per job while the queue is walked in order, as sorting it would cost more.
constexpr int kSmallSelection = 5000;

bool is_small_selection(sql::Connection& db, std::int64_t selection) {
  auto beyond = db.cached("SELECT 1 FROM selection_assets WHERE selection_id = ? LIMIT 1 OFFSET " +
                          std::to_string(kSmallSelection));
  beyond->bind(1, selection);
  return !beyond->step();
}

// Ready queued jobs, or expired leases, in queue order, within the claim's scope. SQLite: the CROSS JOINs fix the
// loop order: the jobs index outside, or a small selection's rows (so a small selection never walks a large queue).
// PostgreSQL plans the joins itself and locks the jobs it returns, skipping those another claim holds (SKIP LOCKED:
// concurrent claims on several servers never wait for each other, nor share a job). A job is claimable while its
// asset misses a thumbnail, or when it was made to regenerate one.
std::vector<Candidate> candidates(sql::Connection& db, const std::string& state, const std::string& time_column,
                                  std::int64_t now, int limit, const ClaimScope& scope, bool small_selection,
                                  const std::string& excluded) {
  const bool postgres = db.dialect() == Dialect::Postgres;
  const std::string join = postgres ? "JOIN" : "CROSS JOIN";
  std::string sql = "SELECT j." + time_column + ", j.job_id FROM ";
  const bool selection_outside = scope.selection && small_selection;
  sql += selection_outside ? "selection_assets s " + join + " thumbnail_jobs j ON j.asset_id = s.asset_id "
                           : "thumbnail_jobs j ";
  sql += join + " assets a ON a.id = j.asset_id WHERE j.state = '" + state + "' AND j." + time_column +
         " <= ?1 AND (a.thumbnail IS NULL OR j.regenerate = 1) AND (j.explicit = 1 OR a.is_viewer_compatible = 1)";
  if (selection_outside) sql += " AND s.selection_id = ?3";
  if (scope.selection && !selection_outside)
    sql += " AND EXISTS (SELECT 1 FROM selection_assets s WHERE s.selection_id = ?3 AND s.asset_id = j.asset_id)";
  if (scope.viewer_compatible_only) sql += " AND a.is_viewer_compatible = 1";
  if (!scope.exclude_asset_ids.empty()) {
    sql +=
        postgres ? " AND j.asset_id <> ALL (?4::bigint[])" : " AND j.asset_id NOT IN (SELECT value FROM json_each(?4))";
  }
  sql += " ORDER BY j." + time_column + ", j.job_id LIMIT ?2";
  if (postgres) sql += " FOR UPDATE OF j SKIP LOCKED";
  auto query = db.cached(sql);
  query->bind(1, sql::UnixTime{now}).bind(2, limit);
  if (scope.selection) query->bind(3, *scope.selection);
  if (!scope.exclude_asset_ids.empty()) query->bind(4, excluded);
  std::vector<Candidate> found;
  while (query->step()) found.push_back({query->int64(0), query->int64(1)});
  return found;
}

// The excluded ids as one bound value: a JSON array for SQLite's json_each, an array literal for PostgreSQL.
std::string id_list(const std::vector<std::int64_t>& ids, Dialect dialect) {
  std::string list = dialect == Dialect::Postgres ? "{" : "[";
  for (std::int64_t id : ids) list += (list.size() > 1 ? "," : "") + std::to_string(id);
  return list + (dialect == Dialect::Postgres ? "}" : "]");
}

}  // namespace

std::int64_t job_backoff_seconds(int attempts) {
  int doublings = std::clamp(attempts - 1, 0, 20);
  return std::min<std::int64_t>(std::int64_t{60} << doublings, Catalogue::kMaxBackoffSeconds);
}

JobQueue::JobQueue(Catalogue& catalogue, JobSettings settings) : catalogue_(catalogue), settings_(settings) {}

std::unique_lock<std::mutex> JobQueue::write_turn() {
  std::unique_lock lock(write_mutex_, std::defer_lock);
  if (catalogue_.dialect() == Dialect::Sqlite) lock.lock();
  return lock;
}

std::vector<ClaimedJob> JobQueue::claim(std::string_view worker, int max, int lease_seconds, std::int64_t now,
                                        const ClaimScope& scope) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);  // BEGIN IMMEDIATE: select and update under one write lock

    // Expired leases that used up their attempts (a model that kills or stalls every worker), or that an admin
    // asked to skip, are not handed out again.
    auto bury = db.prepare(
        "UPDATE thumbnail_jobs SET state = 'dead', worker = NULL, updated_at = ?1, last_error = CASE "
        "WHEN cancel_requested = 1 THEN 'skipped by admin' "
        "ELSE 'lease expired after ' || attempts || ' attempts (worker lost or too slow)' END "
        "WHERE state = 'leased' AND lease_expires_at <= ?1 AND (attempts >= ?2 OR cancel_requested = 1)");
    bury.bind(1, sql::UnixTime{now}).bind(2, settings_.max_attempts).run();

    const std::string excluded = id_list(scope.exclude_asset_ids, db.dialect());
    const bool small = scope.selection && is_small_selection(db, *scope.selection);
    std::vector<Candidate> ready = candidates(db, "queued", "next_attempt_at", now, max, scope, small, excluded);
    std::vector<Candidate> expired = candidates(db, "leased", "lease_expires_at", now, max, scope, small, excluded);
    ready.insert(ready.end(), expired.begin(), expired.end());
    std::sort(ready.begin(), ready.end(), [](const Candidate& a, const Candidate& b) {
      return std::tie(a.ready_at, a.job_id) < std::tie(b.ready_at, b.job_id);
    });
    if (ready.size() > static_cast<std::size_t>(max)) ready.resize(static_cast<std::size_t>(max));

    // PostgreSQL draws the token inside the lease statement (one round trip a job); SQLite bumps its counter row
    // first, in the same transaction, and the lease reads it.
    const bool postgres = db.dialect() == Dialect::Postgres;
    std::optional<sql::Statement> bump_token;
    if (!postgres) bump_token.emplace(db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'fencing_token'"));
    auto lease = db.prepare(
        std::string("UPDATE thumbnail_jobs SET state = 'leased', attempts = attempts + 1, fencing_token = ") +
        (postgres ? "nextval('fencing_tokens')" : "(SELECT value FROM counters WHERE name = 'fencing_token')") +
        ", worker = ?1, lease_expires_at = ?2, cancel_requested = 0, updated_at = ?3 WHERE job_id = ?4 "
        "RETURNING attempts, asset_id, fencing_token");
    std::vector<ClaimedJob> claimed;
    for (const Candidate& candidate : ready) {
      if (bump_token) {
        bump_token->reset();
        bump_token->run();
      }
      ClaimedJob job;
      job.job_id = candidate.job_id;
      job.lease_expires_at = now + lease_seconds;
      lease.reset();
      lease.bind(1, worker)
          .bind(2, sql::UnixTime{job.lease_expires_at})
          .bind(3, sql::UnixTime{now})
          .bind(4, job.job_id);
      if (!lease.step()) continue;
      job.attempt = static_cast<int>(lease.int64(0));
      std::int64_t asset_id = lease.int64(1);
      job.fencing_token = lease.int64(2);
      lease.run();
      auto asset = read_listed_asset(db, asset_id);
      if (!asset) throw std::runtime_error("job without asset");
      job.asset = std::move(*asset);
      claimed.push_back(std::move(job));
    }
    transaction.commit();
    return claimed;
  });
}

std::variant<HeartbeatResult, JobError> JobQueue::heartbeat(std::int64_t job_id, std::int64_t token, int lease_seconds,
                                                            std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) -> std::variant<HeartbeatResult, JobError> {
    sql::Transaction transaction(db);
    auto extend = db.prepare(
        "UPDATE thumbnail_jobs SET lease_expires_at = ?1, updated_at = ?2 "
        "WHERE job_id = ?3 AND fencing_token = ?4 AND state = 'leased' RETURNING cancel_requested");
    extend.bind(1, sql::UnixTime{now + lease_seconds}).bind(2, sql::UnixTime{now}).bind(3, job_id).bind(4, token);
    if (!extend.step()) {
      auto exists = db.prepare("SELECT 1 FROM thumbnail_jobs WHERE job_id = ?");
      exists.bind(1, job_id);
      return exists.step() ? JobError::Stale : JobError::NotFound;
    }
    HeartbeatResult result{now + lease_seconds, extend.int64(0) != 0};
    extend.run();
    transaction.commit();
    return result;
  });
}

std::variant<std::int64_t, JobError> JobQueue::leased_asset(std::int64_t job_id, std::int64_t token) {
  return catalogue_.with_connection([&](sql::Connection& db) -> std::variant<std::int64_t, JobError> {
    auto query = db.prepare("SELECT asset_id, fencing_token, state FROM thumbnail_jobs WHERE job_id = ?");
    query.bind(1, job_id);
    if (!query.step()) return JobError::NotFound;
    if (query.int64(1) != token || query.text(2) != "leased") return JobError::Stale;
    return query.int64(0);
  });
}

std::variant<FailResult, JobError> JobQueue::fail(std::int64_t job_id, std::int64_t token, std::string_view reason,
                                                  bool retryable, std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) -> std::variant<FailResult, JobError> {
    sql::Transaction transaction(db);
    auto current =
        db.prepare(std::string("SELECT attempts, fencing_token, state FROM thumbnail_jobs WHERE job_id = ?") +
                   sql::for_update(db.dialect()));
    current.bind(1, job_id);
    if (!current.step()) return JobError::NotFound;
    if (current.int64(1) != token || current.text(2) != "leased") return JobError::Stale;
    FailResult result;
    result.attempts = static_cast<int>(current.int64(0));
    result.state = (!retryable || result.attempts >= settings_.max_attempts) ? "dead" : "queued";
    result.next_attempt_at = now + job_backoff_seconds(result.attempts);
    auto update = db.prepare(
        "UPDATE thumbnail_jobs SET state = ?1, next_attempt_at = ?2, last_error = ?3, worker = NULL, "
        "lease_expires_at = ?6, cancel_requested = 0, updated_at = ?4 WHERE job_id = ?5");
    update.bind(1, result.state).bind(2, sql::UnixTime{result.next_attempt_at});
    update.bind(3, reason.substr(0, kMaxReasonLength)).bind(4, sql::UnixTime{now}).bind(5, job_id);
    update.bind(6, kNoLease).run();
    transaction.commit();
    return result;
  });
}

std::variant<FailResult, JobError> JobQueue::release(std::int64_t job_id, std::int64_t token, std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) -> std::variant<FailResult, JobError> {
    sql::Transaction transaction(db);
    auto update = db.prepare(
        "UPDATE thumbnail_jobs SET worker = NULL, lease_expires_at = ?4, updated_at = ?1, "
        "attempts = CASE WHEN cancel_requested = 1 OR attempts = 0 THEN attempts ELSE attempts - 1 END, "
        "state = CASE WHEN cancel_requested = 1 THEN 'dead' ELSE 'queued' END, "
        "last_error = CASE WHEN cancel_requested = 1 THEN 'skipped by admin' ELSE last_error END, "
        "cancel_requested = 0 "
        "WHERE job_id = ?2 AND fencing_token = ?3 AND state = 'leased' RETURNING attempts, state, next_attempt_at");
    update.bind(1, sql::UnixTime{now}).bind(2, job_id).bind(3, token).bind(4, kNoLease);
    if (!update.step()) {
      auto exists = db.prepare("SELECT 1 FROM thumbnail_jobs WHERE job_id = ?");
      exists.bind(1, job_id);
      return exists.step() ? JobError::Stale : JobError::NotFound;
    }
    FailResult result{static_cast<int>(update.int64(0)), update.text(1), update.int64(2)};
    update.run();
    transaction.commit();
    return result;
  });
}

std::optional<JobError> JobQueue::skip(std::int64_t job_id, std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) -> std::optional<JobError> {
    sql::Transaction transaction(db);
    auto current =
        db.prepare(std::string("SELECT state FROM thumbnail_jobs WHERE job_id = ?") + sql::for_update(db.dialect()));
    current.bind(1, job_id);
    if (!current.step()) return JobError::NotFound;
    if (current.text(0) != "leased") return JobError::NotLeased;
    auto update = db.prepare("UPDATE thumbnail_jobs SET cancel_requested = 1, updated_at = ? WHERE job_id = ?");
    update.bind(1, sql::UnixTime{now}).bind(2, job_id).run();
    transaction.commit();
    return std::nullopt;
  });
}

int JobQueue::create_explicit(const std::vector<std::int64_t>& asset_ids, std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    // Only assets still missing a thumbnail; an existing job becomes explicit, and a dead one gets a fresh start.
    // (The existing row's columns are named through the alias j: PostgreSQL finds a bare name ambiguous.)
    auto upsert = db.prepare(
        "INSERT INTO thumbnail_jobs AS j (asset_id, explicit, created_at, updated_at) "
        "SELECT id, 1, ?2, ?2 FROM assets WHERE id = ?1 AND thumbnail IS NULL "
        "ON CONFLICT(asset_id) DO UPDATE SET explicit = 1, updated_at = ?2, "
        "attempts = CASE WHEN j.state = 'dead' THEN 0 ELSE j.attempts END, "
        "next_attempt_at = CASE WHEN j.state = 'dead' THEN ?2 ELSE j.next_attempt_at END, "
        "state = CASE WHEN j.state = 'dead' THEN 'queued' ELSE j.state END "
        "WHERE j.explicit = 0 OR j.state = 'dead'");
    int changed = 0;
    for (std::int64_t id : asset_ids) {
      upsert.reset();
      upsert.bind(1, id).bind(2, sql::UnixTime{now}).run();
      changed += db.changes();
    }
    transaction.commit();
    return changed;
  });
}

int JobQueue::retry_failed(const std::optional<std::vector<std::int64_t>>& asset_ids, std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    std::string sql =
        "UPDATE thumbnail_jobs SET state = 'queued', attempts = 0, next_attempt_at = ?1, cancel_requested = 0, "
        "updated_at = ?1 WHERE state = 'dead'";
    if (asset_ids) sql += " AND asset_id = ?2";
    auto update = db.prepare(sql);
    int changed = 0;
    if (!asset_ids) {
      update.bind(1, sql::UnixTime{now}).run();
      changed = db.changes();
    }
    for (std::int64_t id : asset_ids.value_or(std::vector<std::int64_t>{})) {
      update.reset();
      update.bind(1, sql::UnixTime{now}).bind(2, id).run();
      changed += db.changes();
    }
    transaction.commit();
    return changed;
  });
}

JobStats JobQueue::stats(std::int64_t now) {
  return catalogue_.with_connection([&](sql::Connection& db) {
    auto query = db.prepare(
        "SELECT CASE WHEN state = 'leased' AND lease_expires_at <= ?1 THEN 'queued' ELSE state END AS s, count(*) "
        "FROM thumbnail_jobs GROUP BY s");
    query.bind(1, sql::UnixTime{now});
    JobStats stats;
    while (query.step()) {
      std::string state = query.text(0);
      std::int64_t count = query.int64(1);
      if (state == "queued") stats.queued += count;
      if (state == "leased") stats.leased += count;
      if (state == "done") stats.done += count;
      if (state == "dead") stats.dead += count;
    }
    return stats;
  });
}

}  // namespace thumbgen::server
