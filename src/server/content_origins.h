// The origins the admin pages load images and model files from, besides their own: the public media URL, the hosts
// of imported http(s) model files and thumbnails (read from the catalogue), and THUMBGEN_EXTRA_ORIGINS. The CSP of
// /admin/ and GET /api/v1/admin/settings both name them.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "server/catalogue.h"

namespace thumbgen::server {

class ContentOrigins {
 public:
  // `public_url`: where /media/ and /files/ are reached (THUMBGEN_PUBLIC_URL). `extra`: origins (already checked).
  ContentOrigins(Catalogue& catalogue, const std::string& public_url, std::vector<std::string> extra);

  // The origin of the public URL ("" when it has none).
  const std::string& media_origin() const { return media_origin_; }
  // `extra` in its order, then the catalogue's external origins sorted, each once. Read from the catalogue at most once
  // per kRefresh (an import while the server runs shows within that time). Beyond kMaxOrigins distinct origins the
  // catalogue's are replaced by "https:" (any https host) and a warning is logged once: a policy header must stay
  // small, and such a gallery should name its CDNs in THUMBGEN_EXTRA_ORIGINS.
  std::vector<std::string> file_origins();

  static constexpr std::chrono::seconds kRefresh{60};
  static constexpr std::size_t kMaxOrigins = 32;

 private:
  std::vector<std::string> read_catalogue_origins();

  Catalogue& catalogue_;
  std::string media_origin_;
  std::vector<std::string> extra_;
  std::mutex mutex_;
  std::vector<std::string> cached_;
  std::chrono::steady_clock::time_point read_at_{};
  bool fresh_ = false, warned_ = false;
};

}  // namespace thumbgen::server
