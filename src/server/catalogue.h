// The catalogue: users, assets, their formats and resources, and thumbnail attempts, in SQLite (WAL, the default)
// or PostgreSQL (several servers on one catalogue). Thread-safe: every call borrows a connection from a small pool,
// so HTTP workers read in parallel.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/db.h"

namespace thumbgen::server {

struct UserRecord {
  std::int64_t id = 0;
  std::string username, email, display_name, password_hash;
  bool is_staff = false, is_active = true;
  std::int64_t created_at = 0;  // unix seconds
  // Written into every token; a token with another stamp is refused. Changes with the password, on logout (all
  // tokens) and for every new user. auth_stamp_at: unix seconds of the last change.
  std::string auth_stamp;
  std::int64_t auth_stamp_at = 0;
};

struct ResourceRecord {
  std::string path;  // relative to the asset's files_root, or an absolute http(s) URL
  std::string content_type;
};

struct FormatRecord {
  std::string format_type;  // Icosa names: GLB, GLTF2, OBJ, ...
  std::string root;         // relative path of the main file, or an absolute http(s) URL
  bool is_preferred = false;
  std::vector<ResourceRecord> resources;
};

// What an import writes. Thumbnail state (attempts, uploaded thumbnails) is never overwritten by a re-import. The
// resources of a folder import are the files /files/ publishes: the importer lists only the main file and the files
// reference discovery verified (importer.h); writing them marks the asset verified (files_verified = 1).
struct AssetRecord {
  std::optional<std::int64_t> id;  // chosen by SQLite when absent
  std::string url;                 // the public string id, unique
  std::string name, owner_displayname, visibility = "PUBLIC", state = "COMPLETE", license;
  std::optional<std::string> thumbnail;       // a storage key or an absolute URL; nullopt = missing
  std::string thumbnail_source = "imported";  // its provenance when it fills a gap: imported | owner
  std::string camera_json, presentation_params_json;
  bool is_viewer_compatible = true;
  std::string files_root;  // folder the relative resource paths live in ("" for remote assets)
  std::vector<FormatRecord> formats;
};

struct AssetRef {
  std::int64_t id = 0;
  std::string url;
};

struct MissingFormat {
  std::string format_type, root;
  bool is_preferred = false;
};

// The asset's work-queue job as listings show it (extra fields next to the spec's).
struct JobSummary {
  std::string state;  // queued | leased | done | dead
  int attempts = 0;
  std::optional<std::string> last_error;
};

struct MissingAsset {
  std::int64_t id = 0;
  std::string url, name, owner_displayname;
  std::int64_t next_attempt_at = 0;  // position in the queue (0 = never tried); used for the keyset cursor
  std::vector<MissingFormat> formats;
  std::optional<JobSummary> job;
};

struct MissingQuery {
  int limit = 50;
  std::int64_t offset = 0;
  bool viewer_compatible_only = true;
  // Keyset cursor: rows strictly after (next_attempt_at, id).
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
};

struct MissingPage {
  std::vector<MissingAsset> assets;
  std::int64_t total_count = 0;
};

struct FailureRecord {
  int attempts = 0;
  std::int64_t next_attempt_at = 0;  // unix seconds
};

// A file /files/ may serve: `path` below the model folder `root`, both as the import catalogued them. Open it with
// open_published_file() (model_file_open.h), never by joining the two.
struct ServedFile {
  std::filesystem::path root;
  std::string path;
  std::string content_type;
};

// A thumbnail stored by a worker's job completion: the pointer switches only while this claim is current.
struct ThumbnailFence {
  std::int64_t job_id = 0, fencing_token = 0;
};

// Where a stored thumbnail came from (written with it; the admin listing shows and filters by it).
struct ThumbnailProvenance {
  std::string source = "generated";  // generated | owner | imported
  std::optional<std::string> renderer_version;
  std::optional<std::string> camera_json;  // the absolute camera the renderer used
};

struct ThumbnailSwitch {
  bool switched = false;                // false: the fence was stale, nothing changed
  std::optional<std::string> previous;  // the key it replaced (or, when not switched, the current one)
};

enum class UpsertOutcome { Inserted, Updated, Unchanged };

class Catalogue {
 public:
  // Opens or creates the database and applies pending migrations.
  explicit Catalogue(const sql::Target& target, std::size_t pool_size = 8);
  // A SQLite file.
  explicit Catalogue(const std::filesystem::path& file, std::size_t pool_size = 8);
  ~Catalogue();

  const sql::Target& target() const { return target_; }
  sql::Dialect dialect() const { return target_.dialect; }

  // Users. add_user throws sql::Error (a unique constraint) when the name is taken; the new user gets a fresh stamp.
  std::optional<UserRecord> find_user(std::string_view username);
  std::int64_t add_user(const UserRecord& user);
  // A new password hash revokes the user's tokens (a trigger changes the stamp, whoever writes the hash).
  bool set_password(std::string_view username, std::string_view password_hash);
  // Every token of the user is refused from now on ("log out everywhere"). False when there is no such user.
  bool revoke_tokens(std::string_view username);
  bool delete_user(std::string_view username);
  std::vector<UserRecord> list_users();

  // Assets. Upsert is keyed by url and idempotent: the same record twice changes nothing.
  UpsertOutcome upsert_asset(const AssetRecord& asset);
  // A decimal 64-bit id, or else the asset url.
  std::optional<AssetRef> find_asset(std::string_view id_or_url);
  MissingPage list_missing(const MissingQuery& query);
  std::int64_t count_assets();

  // Points thumbnail and preview_image at `key` in one transaction; returns the key it replaced, if any.
  std::optional<std::string> set_thumbnail(std::int64_t asset_id, const std::string& key,
                                           const std::string& content_type, std::int64_t now);
  // The same switch, refused when `fence` is given and its job is no longer leased under that token.
  ThumbnailSwitch set_thumbnail_fenced(std::int64_t asset_id, const std::string& key, const std::string& content_type,
                                       std::int64_t now, const std::optional<ThumbnailFence>& fence,
                                       const ThumbnailProvenance& provenance = {});
  std::optional<std::string> thumbnail_of(std::int64_t asset_id);
  // attempts += 1, next attempt after 60 s × 2^(attempts-1), capped at one day.
  FailureRecord record_failure(std::int64_t asset_id, std::string_view reason, std::int64_t now);

  // An imported file of the asset with this url, only when the catalogue lists it (no path is ever built from
  // the request alone, so traversal is impossible). Of an asset written before schema version 3 (files_verified = 0,
  // its folder not re-imported since) only the main files of its formats.
  std::optional<ServedFile> find_served_file(std::string_view asset_url, std::string_view path);
  // Every file /files/ serves for the asset (the same rule as find_served_file), per format: keyed by
  // (format_type, root_resource), in the order they were published.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> published_files(std::int64_t asset_id);
  // Folder-imported assets an earlier thumbgen wrote, whose side files wait for the next import to re-scan them.
  std::int64_t count_unverified_file_assets();

  // For tests and the benchmark: the plan of the listing query (SQLite: EXPLAIN QUERY PLAN's details, one a line;
  // PostgreSQL: EXPLAIN's lines).
  std::string explain_missing_query(bool viewer_compatible_only, bool with_cursor);
  // Borrowed connection for bulk jobs (benchmark generation).
  template <class Fn>
  auto with_connection(Fn&& fn) {
    Lease lease(*this);
    return fn(*lease.connection);
  }

  static constexpr std::int64_t kMaxBackoffSeconds = 24 * 3600;

 private:
  struct Lease {
    explicit Lease(Catalogue& owner);
    ~Lease();
    Catalogue& owner;
    std::unique_ptr<sql::Connection> connection;
  };
  sql::Target target_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
  std::size_t open_ = 0, pool_size_;
};

// The asset as listings and claims show it (id, url, names, formats in preferred-first order); nullopt if unknown.
std::optional<MissingAsset> read_listed_asset(sql::Connection& db, std::int64_t asset_id);

// The schema, versioned: SQLite through PRAGMA user_version (catalogue_schema.cpp), PostgreSQL through its
// schema_version table (catalogue_schema_postgres.cpp), the same version numbers on both. `up_to_version` stops early
// (tests make an earlier version's catalogue with it).
void migrate(sql::Connection& connection, std::optional<int> up_to_version = std::nullopt);
void migrate_postgres(sql::Connection& connection, std::optional<int> up_to_version);
int schema_version();

}  // namespace thumbgen::server
