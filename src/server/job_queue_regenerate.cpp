// Regenerate jobs (issue 11): a new thumbnail for an asset that has one, e.g. after a renderer fix. The job is the
// asset's one row in thumbnail_jobs with regenerate = 1, which makes it claimable although the asset has a
// thumbnail; completing it switches the thumbnail (and its provenance) like any completion, and the assets_job_done
// trigger then marks it done.
#include "server/job_queue.h"

namespace thumbgen::server {

RegenerateResult JobQueue::regenerate(const std::vector<std::int64_t>& asset_ids, bool replace_owner,
                                      bool include_missing, std::int64_t now) {
  auto turn = write_turn();
  return catalogue_.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    auto asset = db.prepare("SELECT thumbnail IS NOT NULL, coalesce(thumbnail_source, '') FROM assets WHERE id = ?");
    // Queued afresh: attempts and error cleared, first try at `now` (after the never-tried missing thumbnails).
    // A leased job is its worker's until it completes, fails or its lease runs out.
    auto upsert = db.prepare(
        "INSERT INTO thumbnail_jobs AS j (asset_id, explicit, regenerate, next_attempt_at, created_at, updated_at) "
        "VALUES (?1, 1, 1, ?2, ?2, ?2) "
        "ON CONFLICT(asset_id) DO UPDATE SET explicit = 1, regenerate = 1, state = 'queued', attempts = 0, "
        "next_attempt_at = ?2, last_error = NULL, cancel_requested = 0, worker = NULL, lease_expires_at = ?3, "
        "updated_at = ?2 WHERE j.state != 'leased'");
    RegenerateResult result;
    for (std::int64_t id : asset_ids) {
      asset.reset();
      asset.bind(1, id);
      if (!asset.step()) continue;
      const bool has_thumbnail = asset.int64(0) != 0;
      const std::string source = asset.text(1);
      asset.reset();
      if (!has_thumbnail && !include_missing) {
        ++result.skipped_missing;
        continue;
      }
      if (has_thumbnail && source == "owner" && !replace_owner) {
        ++result.skipped_owner;
        continue;
      }
      upsert.reset();
      upsert.bind(1, id).bind(2, sql::UnixTime{now}).bind(3, kNoLease).run();
      result.created += db.changes();
    }
    transaction.commit();
    return result;
  });
}

}  // namespace thumbgen::server
