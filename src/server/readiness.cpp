#include "server/readiness.h"

#include <spdlog/spdlog.h>

namespace thumbgen::server {

Readiness::Readiness(Catalogue& catalogue, const Storage& storage, std::chrono::milliseconds storage_cache)
    : catalogue_(catalogue), storage_(storage), storage_cache_(storage_cache) {}

ReadinessVerdict Readiness::check() {
  ReadinessVerdict verdict;
  try {
    // A real table, so a database that can no longer be read fails here (SELECT 1 never touches the file).
    catalogue_.with_connection([](sql::Connection& db) {
      auto query = db.prepare("SELECT n FROM missing_counts WHERE k = 0");
      if (!query.step()) throw std::runtime_error("missing_counts is empty");
    });
  } catch (const std::exception& error) {
    verdict.catalogue_problem = std::string("catalogue: ") + error.what();
  }

  std::lock_guard lock(storage_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!checked_at_ || now - *checked_at_ >= storage_cache_) {
    try {
      storage_.check_reachable();
      storage_problem_.reset();
    } catch (const std::exception& error) {
      storage_problem_ = std::string("storage: ") + error.what();
    }
    checked_at_ = std::chrono::steady_clock::now();
  }
  verdict.storage_problem = storage_problem_;
  if (!verdict.ready()) {
    spdlog::warn("not ready: {}{}{}", verdict.catalogue_problem.value_or(""),
                 verdict.catalogue_problem && verdict.storage_problem ? "; " : "",
                 verdict.storage_problem.value_or(""));
  }
  return verdict;
}

}  // namespace thumbgen::server
