// What /readyz answers: ready when the catalogue answers a trivial query and the thumbnail storage is reachable.
// The storage's verdict is kept for a few seconds, so a flood of probes costs a bucket one request per period.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "server/catalogue.h"
#include "server/storage.h"

namespace thumbgen::server {

struct ReadinessVerdict {
  std::optional<std::string> catalogue_problem, storage_problem;  // nullopt: that part is ready
  bool ready() const { return !catalogue_problem && !storage_problem; }
};

class Readiness {
 public:
  Readiness(Catalogue& catalogue, const Storage& storage, std::chrono::milliseconds storage_cache);
  ReadinessVerdict check();

 private:
  Catalogue& catalogue_;
  const Storage& storage_;
  std::chrono::milliseconds storage_cache_;
  // Held across the storage check: probes that arrive meanwhile wait for its answer instead of sending their own.
  std::mutex storage_mutex_;
  std::optional<std::chrono::steady_clock::time_point> checked_at_;
  std::optional<std::string> storage_problem_;
};

}  // namespace thumbgen::server
