// The admin asset listing (issue 11): filters to SQL, keyset pages in six sort orders, total counts, one row's
// details. Search finds case-insensitive substrings of name, url and owner. SQLite: the trigram FTS5 index of
// migration 5; a query shorter than a trigram (1-2 characters) falls back to LIKE over the same columns (a scan).
// PostgreSQL: ILIKE, which the pg_trgm GIN indexes of migration 5 serve (a 1-2 character query scans there too).
#include <charconv>
#include <variant>

#include "server/catalogue_admin.h"

namespace thumbgen::server {

namespace {

using sql::Dialect;

// A FilterSql under construction: conditions are ANDed, their bindings appended in order.
struct Conditions : FilterSql {
  Conditions() { where = "TRUE"; }
  void add(std::string condition) { where += " AND (" + std::move(condition) + ")"; }
};

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

std::optional<std::int64_t> as_id(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string upper_ascii(std::string text) {
  for (char& c : text)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return text;
}

void add_search(Conditions& where, const std::string& search, Dialect dialect) {
  std::string condition;
  if (utf8_length(search) >= 3 && dialect == Dialect::Sqlite) {
    // One FTS5 phrase: trigram phrases match as substrings. Quotes inside are doubled, so the text is never syntax.
    std::string phrase = "\"";
    for (char c : search) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    phrase += "\"";
    condition = "a.id IN (SELECT rowid FROM assets_search WHERE assets_search MATCH ?)";
    where.bindings.emplace_back(std::move(phrase));
  } else {
    std::string pattern = "%";
    for (char c : search) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += "%";
    // Positional placeholders only (filters combine): the pattern is bound once per use. SQLite's LIKE ignores
    // ASCII case; PostgreSQL's ILIKE any case.
    condition =
        dialect == Dialect::Postgres
            ? "a.name ILIKE ? ESCAPE '\\' OR a.url ILIKE ? ESCAPE '\\' OR a.owner_displayname ILIKE ? ESCAPE '\\'"
            : "a.name LIKE ? ESCAPE '\\' OR a.url LIKE ? ESCAPE '\\' OR a.owner_displayname LIKE ? ESCAPE '\\'";
    for (int i = 0; i < 3; ++i) where.bindings.emplace_back(pattern);
  }
  if (auto id = as_id(search)) {
    condition += " OR a.id = ?";
    where.bindings.emplace_back(*id);
  }
  where.add(std::move(condition));
}

Conditions filter_conditions(const AssetFilter& filter, Dialect dialect) {
  Conditions where;
  if (filter.search && !filter.search->empty()) add_search(where, *filter.search, dialect);
  if (filter.thumbnail) {
    switch (*filter.thumbnail) {
      case ThumbnailFilter::Empty:
        where.add("a.thumbnail IS NULL");
        break;
      case ThumbnailFilter::Has:
        where.add("a.thumbnail IS NOT NULL");
        break;
      case ThumbnailFilter::Failed:
        // Dead, or the last attempt's error still stands (a queued job backing off, or the spec's failure
        // report on an asset still missing its thumbnail).
        where.add(
            "j.state = 'dead' OR (j.state IN ('queued', 'leased') AND j.last_error IS NOT NULL) OR "
            "(a.thumbnail IS NULL AND a.thumbnail_last_error IS NOT NULL)");
        where.needs_job = true;
        break;
    }
  }
  if (filter.format_type) {
    // A list subquery (one scan of formats), not a correlated EXISTS: counting 1M assets that way took 7 s.
    where.add("a.id IN (SELECT asset_id FROM formats WHERE format_type = ?)");
    where.bindings.emplace_back(upper_ascii(*filter.format_type));
  }
  if (filter.viewer_compatible)
    where.add(*filter.viewer_compatible ? "a.is_viewer_compatible = 1" : "a.is_viewer_compatible = 0");
  if (filter.source) {
    where.add("a.thumbnail_source = ? AND a.thumbnail IS NOT NULL");
    where.bindings.emplace_back(*filter.source);
  }
  if (filter.renderer_version) {
    where.add("a.thumbnail_renderer_version = ? AND a.thumbnail IS NOT NULL");
    where.bindings.emplace_back(*filter.renderer_version);
  }
  if (filter.selection) {
    where.add("a.id IN (SELECT asset_id FROM selection_assets WHERE selection_id = ?)");
    where.bindings.emplace_back(*filter.selection);
  }
  return where;
}

// The sort order, and the keyset condition "strictly after `after`" in it. Name sorts compare case-insensitively
// (as the assets_by_name index: NOCASE on SQLite, lower(name) on PostgreSQL); the id breaks ties, so the order is
// total and a position is exact.
struct SortSql {
  const char* order;
  const char* after;  // with placeholders for the key columns, then the id
  bool has_key;       // whether a key column precedes the id
};

SortSql sort_sql(AssetSort sort, Dialect dialect) {
  if (dialect == Dialect::Postgres && sort == AssetSort::Name)
    return {"lower(a.name), a.id", "(lower(a.name), a.id) > (lower(?), ?)", true};
  if (dialect == Dialect::Postgres && sort == AssetSort::NameDesc)
    return {"lower(a.name) DESC, a.id DESC", "(lower(a.name), a.id) < (lower(?), ?)", true};
  switch (sort) {
    case AssetSort::Id:
      return {"a.id", "a.id > ?", false};
    case AssetSort::IdDesc:
      return {"a.id DESC", "a.id < ?", false};
    case AssetSort::Name:
      return {"a.name COLLATE NOCASE, a.id", "(a.name COLLATE NOCASE, a.id) > (?, ?)", true};
    case AssetSort::NameDesc:
      return {"a.name COLLATE NOCASE DESC, a.id DESC", "(a.name COLLATE NOCASE, a.id) < (?, ?)", true};
    case AssetSort::Updated:
      return {"a.updated_at, a.id", "(a.updated_at, a.id) > (?, ?)", true};
    case AssetSort::UpdatedDesc:
      return {"a.updated_at DESC, a.id DESC", "(a.updated_at, a.id) < (?, ?)", true};
  }
  return {"a.id", "a.id > ?", false};
}

bool sorts_by_name(AssetSort sort) { return sort == AssetSort::Name || sort == AssetSort::NameDesc; }

constexpr const char* kRowColumns =
    "SELECT a.id, a.url, a.name, a.owner_displayname, a.is_viewer_compatible, a.thumbnail, a.thumbnail_source, "
    "a.thumbnail_renderer_version, a.thumbnail_camera, a.thumbnail_updated_at, a.updated_at, a.thumbnail_attempts, "
    "a.thumbnail_last_error, a.saved_camera, a.camera, a.presentation_params, a.up_axis, "
    "j.state, j.attempts, j.last_error, j.next_attempt_at, j.lease_expires_at "
    "FROM assets a LEFT JOIN thumbnail_jobs j ON j.asset_id = a.id ";

std::optional<std::int64_t> optional_int(const sql::Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.int64(column);
}

AdminAssetRow read_row(sql::Connection& db, const sql::Statement& row, std::int64_t now) {
  AdminAssetRow asset;
  asset.id = row.int64(0);
  asset.url = row.text(1);
  asset.name = row.text(2);
  asset.owner = row.text(3);
  asset.is_viewer_compatible = row.int64(4) != 0;
  asset.thumbnail = row.optional_text(5);
  if (asset.thumbnail) {
    asset.thumbnail_source = row.optional_text(6);
    asset.renderer_version = row.optional_text(7);
    asset.thumbnail_camera_json = row.optional_text(8);
    asset.thumbnail_updated_at = optional_int(row, 9);
  }
  asset.updated_at = row.int64(10);
  asset.attempts = static_cast<int>(row.int64(11));
  asset.last_error = row.optional_text(12);
  asset.saved_camera_json = row.optional_text(13);
  asset.camera_json = row.text(14);
  asset.presentation_params_json = row.text(15);
  asset.up_axis = row.optional_text(16);
  if (!row.is_null(17)) {
    std::string state = row.text(17);
    asset.attempts = static_cast<int>(row.int64(18));
    if (!row.is_null(19)) asset.last_error = row.optional_text(19);   // else the spec's failure report, if any
    if (state == "leased" && row.int64(21) <= now) state = "queued";  // an expired lease is free to claim
    if (state == "queued" && asset.attempts > 0 && row.int64(20) > now) state = "backing_off";
    asset.job_state = std::move(state);
  }
  if (auto listed = read_listed_asset(db, asset.id)) asset.formats = std::move(listed->formats);
  return asset;
}

std::string page_sql(const AssetListQuery& query, const Conditions& conditions, Dialect dialect) {
  const SortSql sort = sort_sql(query.sort, dialect);
  std::string sql = std::string(kRowColumns) + "WHERE " + conditions.where;
  if (query.after) sql += std::string(" AND ") + sort.after;
  sql += std::string(" ORDER BY ") + sort.order + " LIMIT ?";
  return sql;
}

// Binds the filter's values, then the position's, then the limit.
void bind_page(sql::Statement& statement, const AssetListQuery& query, const Conditions& conditions, Dialect dialect) {
  conditions.bind_all(statement);
  int index = static_cast<int>(conditions.bindings.size()) + 1;
  if (query.after) {
    const SortSql sort = sort_sql(query.sort, dialect);
    if (sort.has_key) {
      if (sorts_by_name(query.sort)) {
        statement.bind(index++, query.after->name);
      } else {
        statement.bind(index++, sql::UnixTime{query.after->updated_at});
      }
    }
    statement.bind(index++, query.after->id);
  }
  statement.bind(index, query.limit + 1);  // one more row than asked tells has_more exactly
}

}  // namespace

AssetListPage list_admin_assets(Catalogue& catalogue, const AssetListQuery& query, std::int64_t now) {
  return catalogue.with_connection([&](sql::Connection& db) {
    sql::Transaction snapshot(db, /*immediate=*/false);  // count and page from one consistent read
    const Conditions conditions = filter_conditions(query.filter, db.dialect());
    AssetListPage page;
    {
      std::string count_sql = "SELECT count(*) FROM assets a ";
      if (conditions.needs_job) count_sql += "LEFT JOIN thumbnail_jobs j ON j.asset_id = a.id ";
      auto count = db.prepare(count_sql + "WHERE " + conditions.where);
      conditions.bind_all(count);
      if (count.step()) page.total_count = count.int64(0);
    }
    auto rows = db.prepare(page_sql(query, conditions, db.dialect()));
    bind_page(rows, query, conditions, db.dialect());
    while (rows.step()) {
      if (static_cast<int>(page.rows.size()) == query.limit) {
        page.has_more = true;
        break;
      }
      page.rows.push_back(read_row(db, rows, now));
    }
    rows.reset();
    snapshot.commit();
    return page;
  });
}

std::optional<AdminAssetRow> read_admin_asset(sql::Connection& db, std::int64_t asset_id, std::int64_t now) {
  auto row = db.cached(std::string(kRowColumns) + "WHERE a.id = ?");
  row->bind(1, asset_id);
  if (!row->step()) return std::nullopt;
  return read_row(db, *row, now);
}

std::string explain_admin_assets(Catalogue& catalogue, const AssetListQuery& query) {
  return catalogue.with_connection([&](sql::Connection& db) {
    const bool postgres = db.dialect() == Dialect::Postgres;
    const Conditions conditions = filter_conditions(query.filter, db.dialect());
    auto plan = db.prepare((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + page_sql(query, conditions, db.dialect()));
    bind_page(plan, query, conditions, db.dialect());
    std::string text;
    while (plan.step()) text += plan.text(postgres ? 0 : 3) + "\n";
    return text;
  });
}

std::variant<std::vector<std::int64_t>, UnknownAsset> resolve_asset_refs(Catalogue& catalogue,
                                                                         const std::vector<std::string>& refs) {
  return catalogue.with_connection([&](sql::Connection& db) -> std::variant<std::vector<std::int64_t>, UnknownAsset> {
    sql::Transaction snapshot(db, /*immediate=*/false);
    auto by_id = db.prepare("SELECT id FROM assets WHERE id = ?");
    auto by_url = db.prepare("SELECT id FROM assets WHERE url = ?");
    std::vector<std::int64_t> ids;
    ids.reserve(refs.size());
    for (const std::string& ref : refs) {
      if (auto id = as_id(ref)) {
        by_id.reset();
        by_id.bind(1, *id);
        if (by_id.step()) {
          ids.push_back(by_id.int64(0));
          continue;
        }
      }
      by_url.reset();
      by_url.bind(1, ref);
      if (!by_url.step()) return UnknownAsset{ref};
      ids.push_back(by_url.int64(0));
    }
    by_id.reset();
    by_url.reset();
    snapshot.commit();
    return ids;
  });
}

FilterSql asset_filter_sql(const AssetFilter& filter, Dialect dialect) { return filter_conditions(filter, dialect); }

void FilterSql::bind_all(sql::Statement& statement, int first) const {
  int index = first;
  for (const auto& binding : bindings) {
    if (const auto* number = std::get_if<std::int64_t>(&binding)) {
      statement.bind(index++, *number);
    } else {
      statement.bind(index++, std::get<std::string>(binding));
    }
  }
}

}  // namespace thumbgen::server
