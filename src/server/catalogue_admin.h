// What the admin web app (issue 11) reads and writes in the catalogue: the asset listing (search, filters, sort
// orders, keyset positions), selections (asset sets fixed when made, addressed by an unguessable token) and the
// per-asset camera. Free functions over Catalogue::with_connection, next to the Catalogue class rather than in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/catalogue.h"

namespace thumbgen::server {

enum class ThumbnailFilter {
  Empty,   // no thumbnail (never tried, queued, backing off or dead alike)
  Has,     // a thumbnail, whatever its source
  Failed,  // a dead job, or the last attempt failed (its error still stands)
};

struct AssetFilter {
  std::optional<std::string> search;  // substring of name, url or owner, any case; an id matches its asset too
  std::optional<ThumbnailFilter> thumbnail;
  std::optional<std::string> format_type;  // GLB, GLTF2, OBJ, ... (any case)
  std::optional<bool> viewer_compatible;
  std::optional<std::string> source;  // generated | owner | imported
  std::optional<std::string> renderer_version;
  std::optional<std::int64_t> selection;  // a selection's row id: only its assets
};

enum class AssetSort { Id, IdDesc, Name, NameDesc, Updated, UpdatedDesc };

// The sort key of the last row of a page: the next page starts strictly after it (a keyset, never an offset, so
// rows leaving the filtered set while an admin pages never make others skip a page).
struct AssetPosition {
  std::int64_t id = 0;
  std::int64_t updated_at = 0;  // for Updated / UpdatedDesc
  std::string name;             // for Name / NameDesc
};

struct AssetListQuery {
  AssetFilter filter;
  AssetSort sort = AssetSort::Id;
  int limit = 50;
  std::optional<AssetPosition> after;
};

struct AdminAssetRow {
  std::int64_t id = 0;
  std::string url, name, owner;
  std::vector<MissingFormat> formats;  // preferred first
  bool is_viewer_compatible = true;
  std::optional<std::string> thumbnail;  // storage key or absolute URL
  std::optional<std::string> thumbnail_source, renderer_version;
  std::optional<std::string> thumbnail_camera_json;
  std::optional<std::int64_t> thumbnail_updated_at;
  std::int64_t updated_at = 0;
  // queued | leased | backing_off | dead | done; nullopt without a job. An expired lease reads queued.
  std::optional<std::string> job_state;
  int attempts = 0;
  std::optional<std::string> last_error;
  std::optional<std::string> saved_camera_json;  // the admin's camera for this asset
  std::optional<std::string> up_axis;            // the admin's up axis for the model file: "+Y" | "+Z"
  std::string camera_json;                       // the gallery's camera, as imported ("" = none)
  std::string presentation_params_json;          // as imported ("" = none)

  AssetPosition position() const { return {id, updated_at, name}; }
};

struct AssetListPage {
  std::vector<AdminAssetRow> rows;
  std::int64_t total_count = 0;  // all rows the filter matches, whatever the position
  bool has_more = false;
};

// A filter as SQL over `assets a` (and `thumbnail_jobs j` LEFT JOINed on a.id when needs_job): the one meaning of a
// filter, for the listing and for selections made from a filter.
struct FilterSql {
  std::string where;  // '?' placeholders
  std::vector<std::variant<std::int64_t, std::string>> bindings;
  bool needs_job = false;
  void bind_all(sql::Statement& statement, int first = 1) const;
};
FilterSql asset_filter_sql(const AssetFilter& filter, sql::Dialect dialect);

AssetListPage list_admin_assets(Catalogue& catalogue, const AssetListQuery& query, std::int64_t now);
// One asset in the listing's shape (the claim answer's render settings and thumbnail fields read it).
std::optional<AdminAssetRow> read_admin_asset(sql::Connection& db, std::int64_t asset_id, std::int64_t now);
// For tests: the plan of a listing query (SQLite: EXPLAIN QUERY PLAN's details; PostgreSQL: EXPLAIN's lines).
std::string explain_admin_assets(Catalogue& catalogue, const AssetListQuery& query);

// Asset ids or urls (a decimal string is an id first, then a url) to ids, in order, duplicates kept; or the first
// one not found.
struct UnknownAsset {
  std::string ref;
};
std::variant<std::vector<std::int64_t>, UnknownAsset> resolve_asset_refs(Catalogue& catalogue,
                                                                         const std::vector<std::string>& refs);

struct SelectionInfo {
  std::int64_t row_id = 0;
  std::string token;  // the public id
  std::int64_t created_at = 0;
  std::optional<std::string> filter_json;
  std::int64_t count = 0;  // its assets still in the catalogue
};

inline constexpr std::int64_t kSelectionMaxAgeSeconds = 7 * 24 * 3600;
// Each "Go" makes a selection and one may hold a million assets: a user's older ones beyond this many go, so one
// account cannot grow the catalogue without bound.
inline constexpr int kSelectionsKeptPerUser = 50;

// A new selection of these assets (ids known to exist), made by `created_by`. Selections older than
// kSelectionMaxAgeSeconds are removed first, and the creator's oldest beyond kSelectionsKeptPerUser.
SelectionInfo create_selection(Catalogue& catalogue, const std::vector<std::int64_t>& asset_ids,
                               std::string_view created_by, std::int64_t now);
// A new selection of every asset `filter` matches now (the set is fixed here: later changes do not move it), or
// the number it matches when that is more than `max_assets` (nothing is made then).
std::variant<SelectionInfo, std::int64_t> create_selection_from_filter(Catalogue& catalogue, const AssetFilter& filter,
                                                                       const std::string& filter_json,
                                                                       std::string_view created_by, std::int64_t now,
                                                                       std::int64_t max_assets);
std::optional<SelectionInfo> find_selection(Catalogue& catalogue, std::string_view token);
std::vector<std::int64_t> selection_asset_ids(Catalogue& catalogue, std::int64_t row_id);
// Removes selections made before `cutoff` (unix seconds); returns how many.
int prune_selections(Catalogue& catalogue, std::int64_t cutoff);

// The admin's camera for the asset (JSON text, or nullopt to clear it).
void set_saved_camera(Catalogue& catalogue, std::int64_t asset_id, const std::optional<std::string>& camera_json);
// The admin's up axis for the asset's model file ("+Y" or "+Z", or nullopt to clear it).
void set_saved_up_axis(Catalogue& catalogue, std::int64_t asset_id, const std::optional<std::string>& up_axis);

}  // namespace thumbgen::server
