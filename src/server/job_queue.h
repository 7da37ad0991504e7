// The work queue behind `thumbgen work` (the claim protocol of issue 4) on the catalogue's database:
// leases with expiry, a fencing token per claim, attempts with exponential backoff, a dead state after N attempts.
// Jobs themselves are created by catalogue triggers (every viewer-compatible asset missing a thumbnail), by
// create_explicit() and by regenerate() (a job for an asset that has a thumbnail: regenerate = 1); a job's asset
// getting a thumbnail by any path ends the job (trigger: state done).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/catalogue.h"

namespace thumbgen::server {

struct JobSettings {
  int max_attempts = 5;        // claims before a failing (or lease-losing) job is dead
  int min_lease_seconds = 10;  // tests lower it to 1
  int max_lease_seconds = 3600;
};

// Which jobs a claim may take (issue 11): a selection run never takes other assets.
struct ClaimScope {
  std::optional<std::int64_t> selection;  // the selection's row id (selection_of_token): only its assets
  bool viewer_compatible_only = false;
  std::vector<std::int64_t> exclude_asset_ids;  // assets this run skipped
};

struct RegenerateResult {
  int created = 0;          // jobs queued (new, or done/dead/queued ones queued afresh)
  int skipped_owner = 0;    // owner-uploaded thumbnails left alone
  int skipped_missing = 0;  // assets without a thumbnail (their ordinary job makes one)
};

struct ClaimedJob {
  std::int64_t job_id = 0, fencing_token = 0, lease_expires_at = 0;
  int attempt = 0;  // 1 for the first claim
  MissingAsset asset;
};

enum class JobError {
  NotFound,   // no such job
  Stale,      // the token is not the job's current one, or the job is no longer leased under it
  NotLeased,  // skip of a job nobody holds
};

struct HeartbeatResult {
  std::int64_t lease_expires_at = 0;
  bool cancel = false;  // an admin asked to skip this job
};

struct FailResult {
  int attempts = 0;
  std::string state;  // queued | dead
  std::int64_t next_attempt_at = 0;
};

struct JobStats {
  std::int64_t queued = 0, leased = 0, done = 0, dead = 0;
};

class JobQueue {
 public:
  JobQueue(Catalogue& catalogue, JobSettings settings);

  const JobSettings& settings() const { return settings_; }

  // Leases up to `max` claimable jobs to `worker`: never-tried first, then by next attempt time (an expired lease
  // counts from its expiry). Atomic: concurrent claims never share a job.
  std::vector<ClaimedJob> claim(std::string_view worker, int max, int lease_seconds, std::int64_t now,
                                const ClaimScope& scope = {});
  std::variant<HeartbeatResult, JobError> heartbeat(std::int64_t job_id, std::int64_t token, int lease_seconds,
                                                    std::int64_t now);
  // The job's asset while `token` holds its lease (a quick check before the image work of a completion; the
  // pointer switch checks again atomically through ThumbnailFence).
  std::variant<std::int64_t, JobError> leased_asset(std::int64_t job_id, std::int64_t token);
  // Backoff 60 s × 2^(attempts−1), capped at a day; dead after max_attempts or when not retryable.
  std::variant<FailResult, JobError> fail(std::int64_t job_id, std::int64_t token, std::string_view reason,
                                          bool retryable, std::int64_t now);
  // Hands a leased job back untried (its worker is stopping): the claim's attempt is undone and it is claimable at
  // once, in its old place in the queue, no backoff. A job an admin asked to skip ends dead instead, as when its
  // lease runs out.
  std::variant<FailResult, JobError> release(std::int64_t job_id, std::int64_t token, std::int64_t now);
  std::optional<JobError> skip(std::int64_t job_id, std::int64_t now);

  // Makes these assets (missing a thumbnail) claimable even when not viewer-compatible; dead ones are re-queued.
  // Returns how many jobs were created or changed.
  int create_explicit(const std::vector<std::int64_t>& asset_ids, std::int64_t now);
  // Dead → queued with attempts reset: all dead jobs, or those of the given assets.
  int retry_failed(const std::optional<std::vector<std::int64_t>>& asset_ids, std::int64_t now);
  // Jobs that make a new thumbnail for assets that have one (job_queue_regenerate.cpp): queued at `now`, after the
  // never-tried missing ones; a leased job is left to its worker. Owner-uploaded thumbnails are skipped unless
  // `replace_owner`; assets without a thumbnail are skipped unless `include_missing` (then queued now as well).
  RegenerateResult regenerate(const std::vector<std::int64_t>& asset_ids, bool replace_owner, bool include_missing,
                              std::int64_t now);
  // Expired leases count as queued.
  JobStats stats(std::int64_t now);

 private:
  // On SQLite, job writes of this process take turns here before BEGIN IMMEDIATE, so they do not spin in SQLite's
  // busy handler; BEGIN IMMEDIATE still guards against other processes (import) writing the same file. On
  // PostgreSQL they run at once: row locks (FOR UPDATE, SKIP LOCKED) order them, across servers too.
  std::unique_lock<std::mutex> write_turn();
  // lease_expires_at of a job nobody holds: 0 (the epoch; a bound time, as PostgreSQL's column is a timestamptz).
  static constexpr sql::UnixTime kNoLease{0};

  Catalogue& catalogue_;
  JobSettings settings_;
  std::mutex write_mutex_;
};

// 60 s × 2^(attempts−1), capped at a day.
std::int64_t job_backoff_seconds(int attempts);

}  // namespace thumbgen::server
