#include "server/content_origins.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "server/web_origin.h"

namespace thumbgen::server {

namespace {

// The origin part of every absolute URL the catalogue holds: format roots, resources (Icosa-API imports list the
// files of a format by URL) and imported thumbnails. The scheme://host[:port] prefix is cut in SQL (SQLite has no
// regular expressions, PostgreSQL no instr), so DISTINCT leaves one row per origin; web_origin() then checks each.
constexpr const char* kAbsoluteUrls = R"sql(
FROM (
  SELECT root_resource AS u FROM formats WHERE root_resource LIKE 'http%://%'
  UNION ALL SELECT path FROM resources WHERE path LIKE 'http%://%'
  UNION ALL SELECT thumbnail FROM assets WHERE thumbnail LIKE 'http%://%'
) AS urls
)sql";

std::string external_origins_sql(sql::Dialect dialect) {
  return (dialect == sql::Dialect::Postgres
              ? std::string("SELECT DISTINCT substring(u FROM '^[^/]*//[^/]*')")
              : std::string("SELECT DISTINCT CASE WHEN instr(substr(u, 9), '/') > 0 "
                            "THEN substr(u, 1, instr(substr(u, 9), '/') + 7) ELSE u END")) +
         kAbsoluteUrls;
}

}  // namespace

ContentOrigins::ContentOrigins(Catalogue& catalogue, const std::string& public_url, std::vector<std::string> extra)
    : catalogue_(catalogue), media_origin_(web_origin(public_url).value_or("")), extra_(std::move(extra)) {
  std::lock_guard lock(mutex_);
  start_refresh();
}

ContentOrigins::~ContentOrigins() {
  if (reader_.joinable()) reader_.join();
}

std::vector<std::string> ContentOrigins::read_origins() {
  std::set<std::string> found;
  try {
    catalogue_.with_connection([&](sql::Connection& db) {
      auto query = db.prepare(external_origins_sql(db.dialect()));
      while (query.step()) {
        if (auto origin = web_origin(query.text(0))) found.insert(std::move(*origin));
      }
    });
  } catch (const std::exception& error) {  // a busy or broken catalogue: the pages still load, with fewer origins
    spdlog::warn("admin pages: cannot read the model files' origins from the catalogue: {}", error.what());
  }
  std::vector<std::string> origins = extra_;
  std::vector<std::string> catalogue_origins;
  for (const std::string& origin : found) {
    if (origin != media_origin_ && std::find(extra_.begin(), extra_.end(), origin) == extra_.end())
      catalogue_origins.push_back(origin);
  }
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
  return origins;
}

void ContentOrigins::start_refresh() {
  refreshing_ = true;
  if (reader_.joinable()) reader_.join();  // the previous read has finished (refreshing_ was false)
  reader_ = std::thread([this] {
    std::vector<std::string> origins = read_origins();
    {
      std::lock_guard lock(mutex_);
      cached_ = std::move(origins);
      read_at_ = std::chrono::steady_clock::now();
      fresh_ = true;
      refreshing_ = false;
    }
    ready_.notify_all();
  });
}

std::vector<std::string> ContentOrigins::file_origins() {
  std::unique_lock lock(mutex_);
  if (!fresh_) {
    ready_.wait(lock, [&] { return fresh_; });  // the first read, started with the server
  } else if (!refreshing_ && std::chrono::steady_clock::now() - read_at_ >= kRefresh) {
    start_refresh();
  }
  return cached_;
}

}  // namespace thumbgen::server
