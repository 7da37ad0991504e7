// Catalogue migrations, versioned in code: migration N brings PRAGMA user_version from N-1 to N.
// Never edit a released migration; append a new one.
#include <algorithm>
#include <array>
#include <string>

#include "server/catalogue.h"

namespace thumbgen::server {

namespace {

constexpr const char* kMigrations[] = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  is_staff INTEGER NOT NULL DEFAULT 0,
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);

CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  owner_displayname TEXT NOT NULL DEFAULT '',
  visibility TEXT NOT NULL DEFAULT 'PUBLIC',
  state TEXT NOT NULL DEFAULT 'COMPLETE',
  license TEXT NOT NULL DEFAULT '',
  thumbnail TEXT,
  preview_image TEXT,
  thumbnail_content_type TEXT,
  camera TEXT NOT NULL DEFAULT '',
  presentation_params TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  is_viewer_compatible INTEGER NOT NULL DEFAULT 1,
  files_root TEXT NOT NULL DEFAULT '',
  import_fingerprint TEXT NOT NULL DEFAULT '',
  thumbnail_attempts INTEGER NOT NULL DEFAULT 0,
  thumbnail_last_error TEXT,
  thumbnail_last_attempt_at INTEGER,
  thumbnail_next_attempt_at INTEGER NOT NULL DEFAULT 0  -- 0 = never tried: first in the queue
);

-- The missing-thumbnail queue: never-tried (0) first by id, then failed ones by when their backoff ends.
CREATE INDEX assets_missing_queue ON assets(thumbnail_next_attempt_at, id) WHERE thumbnail IS NULL;
CREATE INDEX assets_missing_viewer_queue ON assets(thumbnail_next_attempt_at, id)
  WHERE thumbnail IS NULL AND is_viewer_compatible = 1;

CREATE TABLE formats (
  id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  format_type TEXT NOT NULL,
  root_resource TEXT NOT NULL DEFAULT '',
  is_preferred_for_gallery_viewer INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX formats_by_asset ON formats(asset_id);

CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  format_id INTEGER NOT NULL REFERENCES formats(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT 'application/octet-stream'
);
CREATE INDEX resources_by_format ON resources(format_id, path);

-- total_count without scanning 1M rows: kept by triggers. k = 0: all missing; k = 1: viewer-compatible missing.
CREATE TABLE missing_counts (k INTEGER PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO missing_counts VALUES (0, 0), (1, 0);
CREATE TRIGGER assets_count_insert AFTER INSERT ON assets WHEN NEW.thumbnail IS NULL BEGIN
  UPDATE missing_counts SET n = n + 1 WHERE k = 0 OR (k = 1 AND NEW.is_viewer_compatible = 1);
END;
CREATE TRIGGER assets_count_delete AFTER DELETE ON assets WHEN OLD.thumbnail IS NULL BEGIN
  UPDATE missing_counts SET n = n - 1 WHERE k = 0 OR (k = 1 AND OLD.is_viewer_compatible = 1);
END;
CREATE TRIGGER assets_count_update AFTER UPDATE OF thumbnail, is_viewer_compatible ON assets BEGIN
  UPDATE missing_counts SET n = n - 1
    WHERE OLD.thumbnail IS NULL AND (k = 0 OR (k = 1 AND OLD.is_viewer_compatible = 1));
  UPDATE missing_counts SET n = n + 1
    WHERE NEW.thumbnail IS NULL AND (k = 0 OR (k = 1 AND NEW.is_viewer_compatible = 1));
END;
)sql",
    // 2: the work queue of `thumbgen work` (claim protocol, issue 4). One job per asset; a job exists for every
    // viewer-compatible asset missing a thumbnail (kept so by triggers) and for assets selected explicitly.
    R"sql(
CREATE TABLE thumbnail_jobs (
  job_id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL UNIQUE REFERENCES assets(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'leased', 'done', 'dead')),
  explicit INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,          -- claims so far
  fencing_token INTEGER NOT NULL DEFAULT 0,     -- of the latest claim; 0 = never claimed
  worker TEXT,
  lease_expires_at INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,   -- 0 = never tried: first in the queue
  last_error TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- Claim walks queued jobs in (next_attempt_at, job_id) order; the lease sweep finds expired leases; stats count.
CREATE INDEX thumbnail_jobs_queue ON thumbnail_jobs(state, next_attempt_at);
CREATE INDEX thumbnail_jobs_leases ON thumbnail_jobs(state, lease_expires_at);

-- Server-wide monotonic counters (fencing tokens are never reused, even across jobs).
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters VALUES ('fencing_token', 0);

INSERT INTO thumbnail_jobs (asset_id, next_attempt_at, created_at, updated_at)
  SELECT id, thumbnail_next_attempt_at, created_at, created_at FROM assets
  WHERE thumbnail IS NULL AND is_viewer_compatible = 1;

CREATE TRIGGER assets_job_insert AFTER INSERT ON assets
  WHEN NEW.thumbnail IS NULL AND NEW.is_viewer_compatible = 1 BEGIN
  INSERT OR IGNORE INTO thumbnail_jobs (asset_id, created_at, updated_at) VALUES (NEW.id, NEW.created_at, NEW.created_at);
END;
CREATE TRIGGER assets_job_compatible AFTER UPDATE OF is_viewer_compatible ON assets
  WHEN NEW.thumbnail IS NULL AND NEW.is_viewer_compatible = 1 BEGIN
  INSERT OR IGNORE INTO thumbnail_jobs (asset_id, created_at, updated_at) VALUES (NEW.id, NEW.updated_at, NEW.updated_at);
END;
-- An asset that gets a thumbnail by any path leaves the queue; its current token then no longer completes.
CREATE TRIGGER assets_job_done AFTER UPDATE OF thumbnail ON assets WHEN NEW.thumbnail IS NOT NULL BEGIN
  UPDATE thumbnail_jobs SET state = 'done', worker = NULL, cancel_requested = 0,
    updated_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE asset_id = NEW.id AND state != 'done';
END;
)sql",
    // 3: tokens die with the password (issue 10). Every token carries its user's auth_stamp and is refused once the
    // stamp has changed: with the password (whoever writes it), on `thumbgen user logout` / logout-all, and for every
    // new user, so a name deleted and made again never accepts the old user's tokens. auth_stamp_at is when it last
    // changed. A token without a stamp is refused. The stamp is no secret (tokens are signed), it only must never
    // repeat.
    R"sql(
ALTER TABLE users ADD COLUMN auth_stamp TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN auth_stamp_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET auth_stamp = lower(hex(randomblob(16))), auth_stamp_at = CAST(strftime('%s', 'now') AS INTEGER);

CREATE TRIGGER users_stamp_insert AFTER INSERT ON users BEGIN
  UPDATE users SET auth_stamp = lower(hex(randomblob(16))), auth_stamp_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE id = NEW.id;
END;
CREATE TRIGGER users_stamp_password AFTER UPDATE OF password_hash ON users
  WHEN NEW.password_hash IS NOT OLD.password_hash BEGIN
  UPDATE users SET auth_stamp = lower(hex(randomblob(16))), auth_stamp_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE id = NEW.id;
END;
)sql",
    // 4: /files/ publishes only a model's main file and the files reference discovery found it to use (issue 10).
    // Rows written before listed every file of the model's folder: until the next `thumbgen import` of that folder
    // re-scans them they serve their main file only (files_verified = 0), and their fingerprint is cleared so that
    // import rewrites them even when nothing in the folder changed.
    R"sql(
ALTER TABLE assets ADD COLUMN files_verified INTEGER NOT NULL DEFAULT 0;
UPDATE assets SET import_fingerprint = '' WHERE files_root != '';
)sql",
    // 5: the admin web app (issue 11). Provenance of the current thumbnail (who made it, with which renderer and
    // camera, when); the admin's per-asset camera; selections (asset sets fixed at creation, addressed by an
    // unguessable token); regenerate jobs (a job for an asset that has a thumbnail, claimable and completable like a
    // missing one); indexes for the admin listing's sort orders; a trigram full-text index over name, url and owner
    // (substring search, case-insensitive), kept by triggers. Thumbnails stored before this version: an http(s) URL
    // came from an import, a stored key from an upload (the closest guess; an import can point at a stored key too).
    R"sql(
ALTER TABLE assets ADD COLUMN thumbnail_source TEXT;  -- generated | owner | imported; NULL while missing
ALTER TABLE assets ADD COLUMN thumbnail_renderer_version TEXT;
ALTER TABLE assets ADD COLUMN thumbnail_camera TEXT;  -- JSON: the absolute camera the renderer used
ALTER TABLE assets ADD COLUMN thumbnail_updated_at INTEGER;
ALTER TABLE assets ADD COLUMN saved_camera TEXT;  -- JSON: the admin's camera for this asset; NULL = none
UPDATE assets SET thumbnail_updated_at = updated_at,
  thumbnail_source = CASE WHEN thumbnail LIKE 'http://%' OR thumbnail LIKE 'https://%' THEN 'imported' ELSE 'generated' END
  WHERE thumbnail IS NOT NULL;
CREATE INDEX assets_by_name ON assets(name COLLATE NOCASE, id);
CREATE INDEX assets_by_updated ON assets(updated_at, id);
CREATE INDEX assets_by_renderer ON assets(thumbnail_renderer_version) WHERE thumbnail_renderer_version IS NOT NULL;

ALTER TABLE thumbnail_jobs ADD COLUMN regenerate INTEGER NOT NULL DEFAULT 0;

CREATE TABLE selections (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,  -- the public id: 128 random bits, hex
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  filter TEXT                  -- JSON of the filter it was made from; NULL for a list of ids
);
CREATE INDEX selections_by_age ON selections(created_at);
CREATE TABLE selection_assets (
  selection_id INTEGER NOT NULL REFERENCES selections(id) ON DELETE CASCADE,
  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  PRIMARY KEY (selection_id, asset_id)
) WITHOUT ROWID;
CREATE INDEX selection_assets_by_asset ON selection_assets(asset_id);

CREATE VIRTUAL TABLE assets_search USING fts5(name, url, owner_displayname, content='assets', content_rowid='id',
  tokenize='trigram');
INSERT INTO assets_search(assets_search) VALUES ('rebuild');
CREATE TRIGGER assets_search_insert AFTER INSERT ON assets BEGIN
  INSERT INTO assets_search(rowid, name, url, owner_displayname) VALUES (NEW.id, NEW.name, NEW.url, NEW.owner_displayname);
END;
CREATE TRIGGER assets_search_delete AFTER DELETE ON assets BEGIN
  INSERT INTO assets_search(assets_search, rowid, name, url, owner_displayname)
    VALUES ('delete', OLD.id, OLD.name, OLD.url, OLD.owner_displayname);
END;
CREATE TRIGGER assets_search_update AFTER UPDATE OF name, url, owner_displayname ON assets
  WHEN OLD.name IS NOT NEW.name OR OLD.url IS NOT NEW.url OR OLD.owner_displayname IS NOT NEW.owner_displayname BEGIN
  INSERT INTO assets_search(assets_search, rowid, name, url, owner_displayname)
    VALUES ('delete', OLD.id, OLD.name, OLD.url, OLD.owner_displayname);
  INSERT INTO assets_search(rowid, name, url, owner_displayname) VALUES (NEW.id, NEW.name, NEW.url, NEW.owner_displayname);
END;
)sql",
    // 6: the model file's up axis per asset (issue 12), set by an admin when the file's own declaration or its
    // format's convention is wrong; NULL = those. Claims hand it to the renderer as render_settings.up.
    R"sql(
ALTER TABLE assets ADD COLUMN up_axis TEXT CHECK (up_axis IN ('+Y', '+Z'));
)sql",
    // 7: login failures in the catalogue (issue 13), so every server on one catalogue counts them together
    // (auth_login_limiter.h). The key is a digest of the (user, address) pair or of the address: no names or
    // addresses are kept. last_failure: unix milliseconds on the database's clock. Rows a window old are pruned.
    R"sql(
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_failures_by_age ON login_failures(last_failure);
)sql",
    // 8: nothing on SQLite: its times stay INTEGER unix seconds (PostgreSQL's became timestamptz).
    R"sql(
SELECT 8;
)sql",
};

}  // namespace

int schema_version() { return static_cast<int>(std::size(kMigrations)); }

void migrate(sql::Connection& connection, std::optional<int> up_to_version) {
  if (connection.dialect() == sql::Dialect::Postgres) return migrate_postgres(connection, up_to_version);
  const int target = std::min(up_to_version.value_or(schema_version()), schema_version());
  sql::Transaction transaction(connection);
  int version = 0;
  {
    auto statement = connection.prepare("PRAGMA user_version");
    if (statement.step()) version = static_cast<int>(statement.int64(0));
  }
  if (version > schema_version()) {
    throw sql::Error(1 /* SQLITE_ERROR */, "catalogue schema version " + std::to_string(version) +
                                               " is newer than this thumbgen (" + std::to_string(schema_version()) +
                                               ")");
  }
  for (int next = version; next < target; ++next) {
    connection.exec(kMigrations[next]);
    connection.exec(("PRAGMA user_version = " + std::to_string(next + 1)).c_str());
  }
  transaction.commit();
}

}  // namespace thumbgen::server
