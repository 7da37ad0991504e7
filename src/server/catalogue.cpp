#include "server/catalogue.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "server/data_folder.h"
#include "server/storage.h"

namespace thumbgen::server {

namespace {

using sql::Dialect;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A stable digest of everything an import writes, so re-importing the same record is a no-op (FNV-1a 64).
std::string fingerprint(const AssetRecord& asset) {
  std::uint64_t hash = 1469598103934665603ull;
  auto add = [&hash](std::string_view text) {
    for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0x1f) * 1099511628211ull;
  };
  add(asset.id ? std::to_string(*asset.id) : "");
  add(asset.name), add(asset.owner_displayname), add(asset.visibility), add(asset.state), add(asset.license);
  add(asset.thumbnail.value_or("")), add(asset.camera_json), add(asset.presentation_params_json);
  if (asset.thumbnail && asset.thumbnail_source != "imported") add(asset.thumbnail_source);  // old digests stay
  add(asset.is_viewer_compatible ? "1" : "0"), add(asset.files_root);
  for (const FormatRecord& format : asset.formats) {
    add(format.format_type), add(format.root), add(format.is_preferred ? "1" : "0");
    for (const ResourceRecord& resource : format.resources) add(resource.path), add(resource.content_type);
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

UserRecord read_user(const sql::Statement& row) {
  UserRecord user;
  user.id = row.int64(0);
  user.username = row.text(1);
  user.email = row.text(2);
  user.display_name = row.text(3);
  user.password_hash = row.text(4);
  user.is_staff = row.int64(5) != 0;
  user.is_active = row.int64(6) != 0;
  user.created_at = row.int64(7);
  user.auth_stamp = row.text(8);
  user.auth_stamp_at = row.int64(9);
  return user;
}

constexpr const char* kUserColumns =
    "SELECT id, username, email, display_name, password_hash, is_staff, is_active, created_at, auth_stamp, "
    "auth_stamp_at FROM users ";

void insert_formats(sql::Connection& db, std::int64_t asset_id, const std::vector<FormatRecord>& formats) {
  auto format_insert = db.prepare(
      "INSERT INTO formats (asset_id, format_type, root_resource, is_preferred_for_gallery_viewer) VALUES (?,?,?,?) "
      "RETURNING id");
  auto resource_insert = db.prepare("INSERT INTO resources (format_id, path, content_type) VALUES (?,?,?)");
  for (const FormatRecord& format : formats) {
    format_insert.reset();
    format_insert.bind(1, asset_id).bind(2, format.format_type).bind(3, format.root).bind(4, format.is_preferred);
    if (!format_insert.step()) throw std::runtime_error("format insert returned no id");
    const std::int64_t format_id = format_insert.int64(0);
    format_insert.run();
    for (const ResourceRecord& resource : format.resources) {
      resource_insert.reset();
      resource_insert.bind(1, format_id).bind(2, resource.path).bind(3, resource.content_type);
      resource_insert.run();
    }
  }
}

}  // namespace

Catalogue::Catalogue(const sql::Target& target, std::size_t pool_size)
    : target_(target), pool_size_(std::max<std::size_t>(1, pool_size)) {
  // Password hashes inside: owner-only from the first byte (SQLite's -wal/-shm follow).
  if (target_.dialect == Dialect::Sqlite) create_private_file(target_.file);
  Lease lease(*this);
  migrate(*lease.connection);
}

Catalogue::Catalogue(const std::filesystem::path& file, std::size_t pool_size)
    : Catalogue(sql::Target{Dialect::Sqlite, file, {}}, pool_size) {}

Catalogue::~Catalogue() = default;

Catalogue::Lease::Lease(Catalogue& owner) : owner(owner) {
  std::unique_lock lock(owner.mutex_);
  owner.available_.wait(lock, [&] { return !owner.idle_.empty() || owner.open_ < owner.pool_size_; });
  if (!owner.idle_.empty()) {
    connection = std::move(owner.idle_.back());
    owner.idle_.pop_back();
    return;
  }
  ++owner.open_;
  lock.unlock();
  try {
    connection = std::make_unique<sql::Connection>(owner.target_);
  } catch (...) {
    std::lock_guard relock(owner.mutex_);
    --owner.open_;
    owner.available_.notify_one();
    throw;
  }
}

Catalogue::Lease::~Lease() {
  const bool usable = connection->usable();  // a PostgreSQL server that went away: connect afresh next time
  std::lock_guard lock(owner.mutex_);
  if (usable) {
    owner.idle_.push_back(std::move(connection));
  } else {
    --owner.open_;
  }
  owner.available_.notify_one();
}

std::optional<UserRecord> Catalogue::find_user(std::string_view username) {
  Lease lease(*this);
  static const std::string sql = std::string(kUserColumns) + "WHERE username = ?";
  auto query = lease.connection->cached(sql);
  query->bind(1, username);
  if (!query->step()) return std::nullopt;
  return read_user(*query);
}

std::int64_t Catalogue::add_user(const UserRecord& user) {
  Lease lease(*this);
  auto insert = lease.connection->prepare(
      "INSERT INTO users (username, email, display_name, password_hash, is_staff, is_active, created_at) "
      "VALUES (?,?,?,?,?,?,?) RETURNING id");
  insert.bind(1, user.username).bind(2, user.email).bind(3, user.display_name).bind(4, user.password_hash);
  insert.bind(5, user.is_staff)
      .bind(6, user.is_active)
      .bind(7, sql::UnixTime{user.created_at ? user.created_at : unix_now()});
  if (!insert.step()) throw std::runtime_error("user insert returned no id");
  const std::int64_t id = insert.int64(0);
  insert.run();
  return id;
}

bool Catalogue::set_password(std::string_view username, std::string_view password_hash) {
  Lease lease(*this);
  auto update = lease.connection->prepare("UPDATE users SET password_hash = ? WHERE username = ?");
  update.bind(1, password_hash).bind(2, username).run();
  return lease.connection->changes() > 0;
}

bool Catalogue::revoke_tokens(std::string_view username) {
  Lease lease(*this);
  // 128 random bits as 32 hex digits, and the time in unix seconds, from the database (as its triggers do).
  auto update = lease.connection->prepare(
      dialect() == Dialect::Postgres ? "UPDATE users SET auth_stamp = replace(gen_random_uuid()::text, '-', ''), "
                                       "auth_stamp_at = date_trunc('second', now()) WHERE username = ?"
                                     : "UPDATE users SET auth_stamp = lower(hex(randomblob(16))), "
                                       "auth_stamp_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE username = ?");
  update.bind(1, username).run();
  return lease.connection->changes() > 0;
}

bool Catalogue::delete_user(std::string_view username) {
  Lease lease(*this);
  auto remove = lease.connection->prepare("DELETE FROM users WHERE username = ?");
  remove.bind(1, username).run();
  return lease.connection->changes() > 0;
}

std::vector<UserRecord> Catalogue::list_users() {
  Lease lease(*this);
  auto query = lease.connection->prepare(std::string(kUserColumns) + "ORDER BY username");
  std::vector<UserRecord> users;
  while (query.step()) users.push_back(read_user(query));
  return users;
}

namespace {

// An imported thumbnail is a URL elsewhere or a stored key under the row's own prefix: another asset's key would let
// an upload to this one delete that asset's thumbnail. Checked against the id the row really has (an existing row is
// found by url, whatever id the record claims).
std::optional<std::string> acceptable_thumbnail(const std::optional<std::string>& thumbnail,
                                                std::optional<std::int64_t> row_id) {
  if (!thumbnail) return std::nullopt;
  if (thumbnail->starts_with("http://") || thumbnail->starts_with("https://")) return thumbnail;
  if (row_id && is_own_thumbnail_key(*row_id, *thumbnail)) return thumbnail;
  return std::nullopt;
}

// The row of an import's record that exists already: updated in place, its thumbnail state kept.
UpsertOutcome update_asset(sql::Connection& db, std::int64_t id, const std::string& stored_digest, bool has_thumbnail,
                           const AssetRecord& asset, const std::string& digest, std::int64_t now) {
  if (stored_digest == digest) return UpsertOutcome::Unchanged;
  auto update = db.prepare(
      "UPDATE assets SET name=?, owner_displayname=?, visibility=?, state=?, license=?, camera=?, "
      "presentation_params=?, is_viewer_compatible=?, files_root=?, import_fingerprint=?, updated_at=?, "
      "files_verified=1 WHERE id=?");
  update.bind(1, asset.name).bind(2, asset.owner_displayname).bind(3, asset.visibility).bind(4, asset.state);
  update.bind(5, asset.license).bind(6, asset.camera_json).bind(7, asset.presentation_params_json);
  update.bind(8, asset.is_viewer_compatible)
      .bind(9, asset.files_root)
      .bind(10, digest)
      .bind(11, sql::UnixTime{now})
      .bind(12, id);
  update.run();
  const std::optional<std::string> thumbnail = acceptable_thumbnail(asset.thumbnail, id);
  if (!has_thumbnail && thumbnail) {  // an imported thumbnail fills a gap, never replaces an upload
    auto thumb = db.prepare(
        "UPDATE assets SET thumbnail=?1, preview_image=?1, thumbnail_source=?2, thumbnail_renderer_version=NULL, "
        "thumbnail_camera=NULL, thumbnail_updated_at=?3 WHERE id=?4");
    thumb.bind(1, *thumbnail).bind(2, asset.thumbnail_source).bind(3, sql::UnixTime{now}).bind(4, id).run();
  } else if (thumbnail) {  // the same imported image, its record now naming another source (imported / owner)
    auto source = db.prepare(
        "UPDATE assets SET thumbnail_source=?1 WHERE id=?2 AND thumbnail=?3 AND thumbnail_source IN "
        "('imported', 'owner')");
    source.bind(1, asset.thumbnail_source).bind(2, id).bind(3, *thumbnail).run();
  }
  db.prepare("DELETE FROM formats WHERE asset_id = ?").bind(1, id).run();
  insert_formats(db, id, asset.formats);
  return UpsertOutcome::Updated;
}

// The new row, or nullopt when a row with its url (or id) is there after all: another importer or server inserted
// it since this transaction looked (PostgreSQL: ON CONFLICT waits for that transaction and then does nothing, where
// a plain INSERT failed with a unique violation).
std::optional<std::int64_t> insert_asset(sql::Connection& db, const AssetRecord& asset, const std::string& digest,
                                         std::int64_t now) {
  auto insert = db.prepare(
      "INSERT INTO assets (id, url, name, owner_displayname, visibility, state, license, thumbnail, preview_image, "
      "camera, presentation_params, is_viewer_compatible, files_root, import_fingerprint, created_at, updated_at, "
      "files_verified, thumbnail_source, thumbnail_updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?) "
      "ON CONFLICT DO NOTHING RETURNING id");
  if (asset.id) {
    insert.bind(1, *asset.id);
  } else {
    insert.bind_null(1);
  }
  insert.bind(2, asset.url).bind(3, asset.name).bind(4, asset.owner_displayname).bind(5, asset.visibility);
  const std::optional<std::string> thumbnail = acceptable_thumbnail(asset.thumbnail, asset.id);
  insert.bind(6, asset.state).bind(7, asset.license).bind(8, thumbnail).bind(9, thumbnail);
  insert.bind(10, asset.camera_json).bind(11, asset.presentation_params_json).bind(12, asset.is_viewer_compatible);
  insert.bind(13, asset.files_root).bind(14, digest).bind(15, sql::UnixTime{now}).bind(16, sql::UnixTime{now});
  if (thumbnail) {
    insert.bind(17, asset.thumbnail_source).bind(18, sql::UnixTime{now});
  } else {
    insert.bind_null(17).bind_null(18);
  }
  if (!insert.step()) return std::nullopt;
  const std::int64_t id = insert.int64(0);
  insert.run();
  insert_formats(db, id, asset.formats);
  return id;
}

}  // namespace

UpsertOutcome Catalogue::upsert_asset(const AssetRecord& asset) {
  Lease lease(*this);
  sql::Connection& db = *lease.connection;
  sql::Transaction transaction(db);
  std::string digest = fingerprint(asset);
  std::int64_t now = unix_now();
  // Looked up, then inserted; when the insert finds the url taken after all (a concurrent import of the same url
  // committed in between), looked up again: the outcome is what a sequential re-import reports.
  for (int look = 0; look < 2; ++look) {
    auto existing = db.prepare(std::string("SELECT id, import_fingerprint, thumbnail FROM assets WHERE url = ?") +
                               sql::for_update(db.dialect()));
    existing.bind(1, asset.url);
    if (existing.step()) {
      const UpsertOutcome outcome =
          update_asset(db, existing.int64(0), existing.text(1), !existing.is_null(2), asset, digest, now);
      transaction.commit();
      return outcome;
    }
    if (insert_asset(db, asset, digest, now)) {
      transaction.commit();
      return UpsertOutcome::Inserted;
    }
  }
  // No row has the url, yet the insert conflicted: the record's id is another asset's.
  throw std::runtime_error("asset id " + (asset.id ? std::to_string(*asset.id) : std::string("(new)")) +
                           " is already catalogued under another url");
}

std::optional<AssetRef> Catalogue::find_asset(std::string_view id_or_url) {
  Lease lease(*this);
  sql::Connection& db = *lease.connection;
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(id_or_url.data(), id_or_url.data() + id_or_url.size(), id);
  if (error == std::errc() && end == id_or_url.data() + id_or_url.size() && !id_or_url.empty()) {
    auto by_id = db.cached("SELECT id, url FROM assets WHERE id = ?");
    by_id->bind(1, id);
    if (by_id->step()) return AssetRef{by_id->int64(0), by_id->text(1)};
  }
  auto by_url = db.cached("SELECT id, url FROM assets WHERE url = ?");
  by_url->bind(1, id_or_url);
  if (by_url->step()) return AssetRef{by_url->int64(0), by_url->text(1)};
  return std::nullopt;
}

namespace {
constexpr const char* kFormatsQuery =
    "SELECT format_type, root_resource, is_preferred_for_gallery_viewer FROM formats WHERE asset_id = ? "
    "ORDER BY is_preferred_for_gallery_viewer DESC, id";

// One query for a whole page: the page of assets (a subquery, so OFFSET skips index entries only and the joins run
// for the rows kept), each with its job and its formats. The filter is written literally (not bound) so the engine
// picks the matching partial index. Rows come grouped by asset; list_missing() puts them in order.
std::string make_missing_sql(Dialect dialect, bool viewer_compatible_only, bool with_cursor) {
  std::string select =
      "SELECT id, url, name, owner_displayname, thumbnail_next_attempt_at FROM assets WHERE thumbnail IS NULL";
  if (viewer_compatible_only) select += " AND is_viewer_compatible = 1";
  // The cursor. SQLite: two index ranges merged in order, as it seeks a row value (a, b) > (?, ?) on `a` only,
  // which walks every never-tried asset before the cursor. PostgreSQL seeks the row value on both keys.
  std::string page = select;
  if (with_cursor && dialect == Dialect::Sqlite) {
    page = select + " AND thumbnail_next_attempt_at = ?3 AND id > ?4 UNION ALL " + select +
           " AND thumbnail_next_attempt_at > ?3";
  } else if (with_cursor) {
    page = select + " AND (thumbnail_next_attempt_at, id) > (?3, ?4)";
  }
  page += " ORDER BY thumbnail_next_attempt_at, id LIMIT ?1 OFFSET ?2";
  return "SELECT p.id, p.url, p.name, p.owner_displayname, p.thumbnail_next_attempt_at, "
         "j.state, j.attempts, j.last_error, j.lease_expires_at, "
         "f.id, f.format_type, f.root_resource, f.is_preferred_for_gallery_viewer "
         "FROM (" +
         page + ") AS p LEFT JOIN thumbnail_jobs j ON j.asset_id = p.id LEFT JOIN formats f ON f.asset_id = p.id";
}

const std::string& missing_sql(Dialect dialect, bool viewer_compatible_only, bool with_cursor) {
  static const std::string variants[2][4] = {
      {make_missing_sql(Dialect::Sqlite, false, false), make_missing_sql(Dialect::Sqlite, false, true),
       make_missing_sql(Dialect::Sqlite, true, false), make_missing_sql(Dialect::Sqlite, true, true)},
      {make_missing_sql(Dialect::Postgres, false, false), make_missing_sql(Dialect::Postgres, false, true),
       make_missing_sql(Dialect::Postgres, true, false), make_missing_sql(Dialect::Postgres, true, true)}};
  return variants[dialect == Dialect::Postgres ? 1 : 0][(viewer_compatible_only ? 2 : 0) + (with_cursor ? 1 : 0)];
}
}  // namespace

MissingPage Catalogue::list_missing(const MissingQuery& query) {
  Lease lease(*this);
  sql::Connection& db = *lease.connection;
  sql::Transaction snapshot(db, /*immediate=*/false);  // count and page from one consistent read
  MissingPage page;
  {
    auto count = db.cached("SELECT n FROM missing_counts WHERE k = ?");
    count->bind(1, query.viewer_compatible_only ? 1 : 0);
    if (count->step()) page.total_count = count->int64(0);
  }

  struct Listed {
    MissingAsset asset;
    std::vector<std::int64_t> format_ids;  // parallel to asset.formats, for their order
  };
  std::vector<Listed> listed;
  listed.reserve(static_cast<std::size_t>(std::clamp(query.limit, 0, 1000)));
  std::int64_t now = unix_now();
  {
    auto rows = db.cached(missing_sql(db.dialect(), query.viewer_compatible_only, query.after.has_value()));
    rows->bind(1, query.limit).bind(2, query.offset);
    if (query.after) rows->bind(3, sql::UnixTime{query.after->first}).bind(4, query.after->second);
    while (rows->step()) {
      std::int64_t id = rows->int64(0);
      // Rows of one asset are adjacent in practice; the search from the back finds them at once.
      auto same = std::find_if(listed.rbegin(), listed.rend(), [id](const Listed& l) { return l.asset.id == id; });
      Listed* item = same != listed.rend() ? &*same : nullptr;
      if (!item) {
        item = &listed.emplace_back();
        MissingAsset& asset = item->asset;
        asset.id = id;
        rows->text_into(1, asset.url);
        rows->text_into(2, asset.name);
        rows->text_into(3, asset.owner_displayname);
        asset.next_attempt_at = rows->int64(4);
        asset.formats.reserve(4);
        item->format_ids.reserve(4);
        if (!rows->is_null(5)) {
          std::string state = rows->text(5);
          if (state == "leased" && rows->int64(8) <= now) state = "queued";  // an expired lease is free to claim
          asset.job = JobSummary{std::move(state), static_cast<int>(rows->int64(6)), rows->optional_text(7)};
        }
      }
      if (rows->is_null(9)) continue;  // an asset without formats
      item->format_ids.push_back(rows->int64(9));
      item->asset.formats.push_back({rows->text(10), rows->text(11), rows->int64(12) != 0});
    }
  }
  snapshot.commit();

  // The listing's order: queue position, then id; formats preferred first, then in catalogue order.
  // (The join nearly always yields this order already: sorting is then skipped.)
  auto queue_order = [](const Listed& a, const Listed& b) {
    return std::pair(a.asset.next_attempt_at, a.asset.id) < std::pair(b.asset.next_attempt_at, b.asset.id);
  };
  if (!std::is_sorted(listed.begin(), listed.end(), queue_order)) std::sort(listed.begin(), listed.end(), queue_order);
  page.assets.reserve(listed.size());
  for (Listed& item : listed) {
    std::vector<MissingFormat>& formats = item.asset.formats;
    auto format_order = [&](std::size_t a, std::size_t b) {
      return std::pair(!formats[a].is_preferred, item.format_ids[a]) <
             std::pair(!formats[b].is_preferred, item.format_ids[b]);
    };
    bool in_order = true;
    for (std::size_t i = 1; i < formats.size() && in_order; ++i) in_order = !format_order(i, i - 1);
    if (!in_order) {
      std::vector<std::size_t> order(formats.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), format_order);
      std::vector<MissingFormat> sorted;
      sorted.reserve(formats.size());
      for (std::size_t i : order) sorted.push_back(std::move(formats[i]));
      formats = std::move(sorted);
    }
    page.assets.push_back(std::move(item.asset));
  }
  return page;
}

std::int64_t Catalogue::count_assets() {
  Lease lease(*this);
  auto query = lease.connection->cached("SELECT count(*) FROM assets");
  query->step();
  return query->int64(0);
}

std::string Catalogue::explain_missing_query(bool viewer_compatible_only, bool with_cursor) {
  Lease lease(*this);
  const bool postgres = dialect() == Dialect::Postgres;
  const std::string& sql = missing_sql(dialect(), viewer_compatible_only, with_cursor);
  auto query = lease.connection->prepare((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql);
  if (postgres) {  // planned for these values, as a page of 50 after a cursor would be
    query.bind(1, 50).bind(2, 0);
    if (with_cursor) query.bind(3, sql::UnixTime{0}).bind(4, std::int64_t{1});
  }
  std::string plan;
  while (query.step()) plan += query.text(postgres ? 0 : 3) + "\n";
  return plan;
}

std::optional<MissingAsset> read_listed_asset(sql::Connection& db, std::int64_t asset_id) {
  auto row = db.cached("SELECT id, url, name, owner_displayname, thumbnail_next_attempt_at FROM assets WHERE id = ?");
  row->bind(1, asset_id);
  if (!row->step()) return std::nullopt;
  MissingAsset asset;
  asset.id = row->int64(0);
  asset.url = row->text(1);
  asset.name = row->text(2);
  asset.owner_displayname = row->text(3);
  asset.next_attempt_at = row->int64(4);
  auto formats = db.cached(kFormatsQuery);
  formats->bind(1, asset_id);
  while (formats->step()) asset.formats.push_back({formats->text(0), formats->text(1), formats->int64(2) != 0});
  return asset;
}

std::optional<std::string> Catalogue::set_thumbnail(std::int64_t asset_id, const std::string& key,
                                                    const std::string& content_type, std::int64_t now) {
  return set_thumbnail_fenced(asset_id, key, content_type, now, std::nullopt).previous;
}

ThumbnailSwitch Catalogue::set_thumbnail_fenced(std::int64_t asset_id, const std::string& key,
                                                const std::string& content_type, std::int64_t now,
                                                const std::optional<ThumbnailFence>& fence,
                                                const ThumbnailProvenance& provenance) {
  Lease lease(*this);
  sql::Connection& db = *lease.connection;
  sql::Transaction transaction(db);
  auto old = db.prepare(std::string("SELECT thumbnail FROM assets WHERE id = ?") + sql::for_update(db.dialect()));
  old.bind(1, asset_id);
  if (!old.step()) throw std::runtime_error("asset vanished");
  ThumbnailSwitch result{false, old.optional_text(0)};
  if (fence) {
    // Checked inside the write transaction, so a re-claim cannot slip in between check and switch.
    auto current = db.prepare(std::string("SELECT 1 FROM thumbnail_jobs WHERE job_id = ? AND asset_id = ? AND "
                                          "fencing_token = ? AND state = 'leased'") +
                              sql::for_update(db.dialect()));
    current.bind(1, fence->job_id).bind(2, asset_id).bind(3, fence->fencing_token);
    if (!current.step()) return result;
  }
  auto update = db.prepare(
      "UPDATE assets SET thumbnail=?1, preview_image=?1, thumbnail_content_type=?2, updated_at=?3, "
      "thumbnail_last_error=NULL, thumbnail_source=?5, thumbnail_renderer_version=?6, thumbnail_camera=?7, "
      "thumbnail_updated_at=?3 WHERE id=?4");
  update.bind(1, key).bind(2, content_type).bind(3, sql::UnixTime{now}).bind(4, asset_id).bind(5, provenance.source);
  update.bind(6, provenance.renderer_version).bind(7, provenance.camera_json).run();
  transaction.commit();  // the assets_job_done trigger has moved the asset's job to done
  result.switched = true;
  return result;
}

std::optional<std::string> Catalogue::thumbnail_of(std::int64_t asset_id) {
  Lease lease(*this);
  auto query =
      lease.connection->cached("SELECT thumbnail FROM assets WHERE id = ?");  // once per stored folder at start
  query->bind(1, asset_id);
  if (!query->step()) return std::nullopt;
  return query->optional_text(0);
}

FailureRecord Catalogue::record_failure(std::int64_t asset_id, std::string_view reason, std::int64_t now) {
  Lease lease(*this);
  sql::Connection& db = *lease.connection;
  sql::Transaction transaction(db);
  auto current =
      db.prepare(std::string("SELECT thumbnail_attempts FROM assets WHERE id = ?") + sql::for_update(db.dialect()));
  current.bind(1, asset_id);
  if (!current.step()) throw std::runtime_error("asset vanished");
  FailureRecord record;
  record.attempts = static_cast<int>(std::min<std::int64_t>(current.int64(0) + 1, 1'000'000));
  int doublings = std::min(record.attempts - 1, 20);
  std::int64_t backoff = std::min<std::int64_t>(std::int64_t{60} << doublings, kMaxBackoffSeconds);
  record.next_attempt_at = now + backoff;
  auto update = db.prepare(
      "UPDATE assets SET thumbnail_attempts=?, thumbnail_last_error=?, thumbnail_last_attempt_at=?, "
      "thumbnail_next_attempt_at=? WHERE id=?");
  update.bind(1, record.attempts).bind(2, reason.substr(0, 2000)).bind(3, sql::UnixTime{now});
  update.bind(4, sql::UnixTime{record.next_attempt_at});
  update.bind(5, asset_id).run();
  transaction.commit();
  return record;
}

// Which of an asset's resources /files/ serves: all once import has verified them as the model's references, until
// then (a catalogue from before reference discovery) only each format's main file. One rule for serving and claims.
const std::string kServedResource = "(a.files_verified = 1 OR r.path = f.root_resource)";

std::optional<ServedFile> Catalogue::find_served_file(std::string_view asset_url, std::string_view path) {
  Lease lease(*this);
  static const std::string sql =
      "SELECT a.files_root, r.content_type FROM assets a JOIN formats f ON f.asset_id = a.id "
      "JOIN resources r ON r.format_id = f.id WHERE a.url = ? AND r.path = ? AND a.files_root != '' AND " +
      kServedResource + " LIMIT 1";
  auto query = lease.connection->cached(sql);
  query->bind(1, asset_url).bind(2, path);
  if (!query->step()) return std::nullopt;
  return ServedFile{query->text(0), std::string(path), query->text(1)};
}

std::map<std::pair<std::string, std::string>, std::vector<std::string>> Catalogue::published_files(
    std::int64_t asset_id) {
  Lease lease(*this);
  static const std::string sql =
      "SELECT f.format_type, f.root_resource, r.path FROM assets a JOIN formats f ON f.asset_id = a.id "
      "JOIN resources r ON r.format_id = f.id WHERE a.id = ? AND " +
      kServedResource + " ORDER BY f.id, r.id";
  auto rows = lease.connection->cached(sql);
  rows->bind(1, asset_id);
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> files;
  while (rows->step()) files[{rows->text(0), rows->text(1)}].push_back(rows->text(2));
  return files;
}

std::int64_t Catalogue::count_unverified_file_assets() {
  Lease lease(*this);
  auto query = lease.connection->prepare("SELECT count(*) FROM assets WHERE files_root != '' AND files_verified = 0");
  query.step();
  return query.int64(0);
}

}  // namespace thumbgen::server
