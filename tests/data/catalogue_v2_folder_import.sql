-- A catalogue written by thumbgen at schema version 2 (before issue 10): `thumbgen import models` of a folder
-- models/lamp/ holding lamp.obj, lamp.mtl, lamp.png, generate.py and LICENSE.md, dumped with sqlite3 .dump.
-- The old importer published every file of the folder. @MODELS@ stands for the models folder.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
INSERT INTO assets VALUES(1,'lamp-lamp-obj-c90b0796','lamp','','PUBLIC','COMPLETE','',NULL,NULL,NULL,'','',1796402921,1796402921,1,'@MODELS@/lamp','85506c5af20d6941',0,NULL,NULL,0);
CREATE TABLE formats (
  id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  format_type TEXT NOT NULL,
  root_resource TEXT NOT NULL DEFAULT '',
  is_preferred_for_gallery_viewer INTEGER NOT NULL DEFAULT 0
);
INSERT INTO formats VALUES(1,1,'OBJ','lamp.obj',1);
CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  format_id INTEGER NOT NULL REFERENCES formats(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT 'application/octet-stream'
);
INSERT INTO resources VALUES(1,1,'lamp.obj','model/obj');
INSERT INTO resources VALUES(2,1,'LICENSE.md','application/octet-stream');
INSERT INTO resources VALUES(3,1,'generate.py','application/octet-stream');
INSERT INTO resources VALUES(4,1,'lamp.mtl','model/mtl');
INSERT INTO resources VALUES(5,1,'lamp.png','image/png');
CREATE TABLE missing_counts (k INTEGER PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO missing_counts VALUES(0,1);
INSERT INTO missing_counts VALUES(1,1);
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
INSERT INTO thumbnail_jobs VALUES(1,1,'queued',0,0,0,NULL,0,0,NULL,0,1796402921,1796402921);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters VALUES('fencing_token',0);
CREATE INDEX assets_missing_queue ON assets(thumbnail_next_attempt_at, id) WHERE thumbnail IS NULL;
CREATE INDEX assets_missing_viewer_queue ON assets(thumbnail_next_attempt_at, id)
  WHERE thumbnail IS NULL AND is_viewer_compatible = 1;
CREATE INDEX formats_by_asset ON formats(asset_id);
CREATE INDEX resources_by_format ON resources(format_id, path);
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
CREATE INDEX thumbnail_jobs_queue ON thumbnail_jobs(state, next_attempt_at);
CREATE INDEX thumbnail_jobs_leases ON thumbnail_jobs(state, lease_expires_at);
CREATE TRIGGER assets_job_insert AFTER INSERT ON assets
  WHEN NEW.thumbnail IS NULL AND NEW.is_viewer_compatible = 1 BEGIN
  INSERT OR IGNORE INTO thumbnail_jobs (asset_id, created_at, updated_at) VALUES (NEW.id, NEW.created_at, NEW.created_at);
END;
CREATE TRIGGER assets_job_compatible AFTER UPDATE OF is_viewer_compatible ON assets
  WHEN NEW.thumbnail IS NULL AND NEW.is_viewer_compatible = 1 BEGIN
  INSERT OR IGNORE INTO thumbnail_jobs (asset_id, created_at, updated_at) VALUES (NEW.id, NEW.updated_at, NEW.updated_at);
END;
CREATE TRIGGER assets_job_done AFTER UPDATE OF thumbnail ON assets WHEN NEW.thumbnail IS NOT NULL BEGIN
  UPDATE thumbnail_jobs SET state = 'done', worker = NULL, cancel_requested = 0,
    updated_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE asset_id = NEW.id AND state != 'done';
END;
COMMIT;
PRAGMA user_version = 2;
