// Selections (issue 11): a set of assets fixed when it is made, so a page reload, a batch run or "Select all N
// matching" acts on exactly the assets the admin chose, and the queue can be scoped to them. The public id is 128
// random bits (RAND_bytes): knowing one selection's id tells nothing about another's. Old ones are pruned.
#include <openssl/rand.h>

#include <stdexcept>

#include "server/catalogue_admin.h"

namespace thumbgen::server {

namespace {

std::string random_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 15];
  }
  return token;
}

void prune(sql::Connection& db, std::int64_t cutoff) {
  db.prepare("DELETE FROM selections WHERE created_at < ?").bind(1, sql::UnixTime{cutoff}).run();
}

// The selection row (assets added by the caller, inside the same transaction).
SelectionInfo insert_selection(sql::Connection& db, std::string_view created_by,
                               const std::optional<std::string>& filter_json, std::int64_t now) {
  prune(db, now - kSelectionMaxAgeSeconds);
  SelectionInfo info;
  info.token = random_token();
  info.created_at = now;
  info.filter_json = filter_json;
  auto insert =
      db.prepare("INSERT INTO selections (token, created_at, created_by, filter) VALUES (?, ?, ?, ?) RETURNING id");
  insert.bind(1, info.token).bind(2, sql::UnixTime{now}).bind(3, created_by).bind(4, filter_json);
  if (!insert.step()) throw std::runtime_error("selection insert returned no id");
  info.row_id = insert.int64(0);
  insert.run();
  db.prepare(
        "DELETE FROM selections WHERE created_by = ? AND id NOT IN "
        "(SELECT id FROM selections WHERE created_by = ? ORDER BY id DESC LIMIT ?)")
      .bind(1, created_by)
      .bind(2, created_by)
      .bind(3, static_cast<std::int64_t>(kSelectionsKeptPerUser))
      .run();
  return info;
}

std::int64_t count_members(sql::Connection& db, std::int64_t row_id) {
  auto count = db.prepare("SELECT count(*) FROM selection_assets WHERE selection_id = ?");
  count.bind(1, row_id);
  count.step();
  return count.int64(0);
}

}  // namespace

SelectionInfo create_selection(Catalogue& catalogue, const std::vector<std::int64_t>& asset_ids,
                               std::string_view created_by, std::int64_t now) {
  return catalogue.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    SelectionInfo info = insert_selection(db, created_by, std::nullopt, now);
    auto add = db.prepare("INSERT INTO selection_assets (selection_id, asset_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    for (std::int64_t id : asset_ids) {
      add.reset();
      add.bind(1, info.row_id).bind(2, id).run();
    }
    info.count = count_members(db, info.row_id);
    transaction.commit();
    return info;
  });
}

std::variant<SelectionInfo, std::int64_t> create_selection_from_filter(Catalogue& catalogue, const AssetFilter& filter,
                                                                       const std::string& filter_json,
                                                                       std::string_view created_by, std::int64_t now,
                                                                       std::int64_t max_assets) {
  const FilterSql sql = asset_filter_sql(filter, catalogue.dialect());
  const std::string from = std::string("FROM assets a ") +
                           (sql.needs_job ? "LEFT JOIN thumbnail_jobs j ON j.asset_id = a.id " : "") + "WHERE " +
                           sql.where;
  return catalogue.with_connection([&](sql::Connection& db) -> std::variant<SelectionInfo, std::int64_t> {
    sql::Transaction transaction(db);  // count and copy see the same assets
    auto count = db.prepare("SELECT count(*) " + from);
    sql.bind_all(count);
    count.step();
    if (const std::int64_t matching = count.int64(0); matching > max_assets) return matching;
    count.reset();
    SelectionInfo info = insert_selection(db, created_by, filter_json, now);
    // (`from` ends in a WHERE clause: SQLite reads the ON CONFLICT after it as the upsert, not as a join's ON.)
    auto copy = db.prepare("INSERT INTO selection_assets (selection_id, asset_id) SELECT ?, a.id " + from +
                           " ON CONFLICT DO NOTHING");
    copy.bind(1, info.row_id);
    sql.bind_all(copy, 2);
    copy.run();
    info.count = count_members(db, info.row_id);
    transaction.commit();
    return info;
  });
}

std::optional<SelectionInfo> find_selection(Catalogue& catalogue, std::string_view token) {
  return catalogue.with_connection([&](sql::Connection& db) -> std::optional<SelectionInfo> {
    auto query = db.prepare("SELECT id, token, created_at, filter FROM selections WHERE token = ?");
    query.bind(1, token);
    if (!query.step()) return std::nullopt;
    SelectionInfo info{query.int64(0), query.text(1), query.int64(2), query.optional_text(3), 0};
    query.reset();
    info.count = count_members(db, info.row_id);
    return info;
  });
}

std::vector<std::int64_t> selection_asset_ids(Catalogue& catalogue, std::int64_t row_id) {
  return catalogue.with_connection([&](sql::Connection& db) {
    auto query = db.prepare("SELECT asset_id FROM selection_assets WHERE selection_id = ? ORDER BY asset_id");
    query.bind(1, row_id);
    std::vector<std::int64_t> ids;
    while (query.step()) ids.push_back(query.int64(0));
    return ids;
  });
}

int prune_selections(Catalogue& catalogue, std::int64_t cutoff) {
  return catalogue.with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    prune(db, cutoff);
    const int removed = db.changes();
    transaction.commit();
    return removed;
  });
}

void set_saved_camera(Catalogue& catalogue, std::int64_t asset_id, const std::optional<std::string>& camera_json) {
  catalogue.with_connection([&](sql::Connection& db) {
    db.prepare("UPDATE assets SET saved_camera = ? WHERE id = ?").bind(1, camera_json).bind(2, asset_id).run();
  });
}

void set_saved_up_axis(Catalogue& catalogue, std::int64_t asset_id, const std::optional<std::string>& up_axis) {
  catalogue.with_connection([&](sql::Connection& db) {
    db.prepare("UPDATE assets SET up_axis = ? WHERE id = ?").bind(1, up_axis).bind(2, asset_id).run();
  });
}

}  // namespace thumbgen::server
