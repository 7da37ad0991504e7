#include "server/content_origins.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "server/web_origin.h"

namespace thumbgen::server {

namespace {

// The origin part of every absolute URL the catalogue holds: format roots, resources (Icosa-API imports list the
// files of a format by URL) and imported thumbnails. The scheme://host[:port] prefix is cut in SQL, so DISTINCT
// leaves one row per origin; web_origin() then checks each one.
constexpr const char* kExternalOrigins = R"sql(
SELECT DISTINCT CASE WHEN instr(substr(u, 9), '/') > 0 THEN substr(u, 1, instr(substr(u, 9), '/') + 7) ELSE u END
FROM (
  SELECT root_resource AS u FROM formats WHERE root_resource LIKE 'http%://%'
  UNION ALL SELECT path FROM resources WHERE path LIKE 'http%://%'
  UNION ALL SELECT thumbnail FROM assets WHERE thumbnail LIKE 'http%://%'
)
)sql";

}  // namespace

ContentOrigins::ContentOrigins(Catalogue& catalogue, const std::string& public_url, std::vector<std::string> extra)
    : catalogue_(catalogue), media_origin_(web_origin(public_url).value_or("")), extra_(std::move(extra)) {}

std::vector<std::string> ContentOrigins::read_catalogue_origins() {
  std::set<std::string> found;
  catalogue_.with_connection([&](sql::Connection& db) {
    auto query = db.prepare(kExternalOrigins);
    while (query.step()) {
      if (auto origin = web_origin(query.text(0))) found.insert(std::move(*origin));
    }
  });
  return {found.begin(), found.end()};
}

std::vector<std::string> ContentOrigins::file_origins() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!fresh_ || now - read_at_ >= kRefresh) {
    std::vector<std::string> origins = extra_;
    std::vector<std::string> catalogue_origins = read_catalogue_origins();
    std::erase_if(catalogue_origins, [&](const std::string& origin) {
      return origin == media_origin_ || std::find(extra_.begin(), extra_.end(), origin) != extra_.end();
    });
    if (catalogue_origins.size() > kMaxOrigins) {
      if (!warned_) {
        spdlog::warn(
            "the catalogue names {} external file hosts: the admin pages' CSP allows any https: host instead of "
            "listing them (name them in THUMBGEN_EXTRA_ORIGINS to keep the policy strict)",
            catalogue_origins.size());
        warned_ = true;
      }
      catalogue_origins = {"https:"};
    }
    origins.insert(origins.end(), catalogue_origins.begin(), catalogue_origins.end());
    cached_ = std::move(origins);
    read_at_ = now;
    fresh_ = true;
  }
  return cached_;
}

}  // namespace thumbgen::server
