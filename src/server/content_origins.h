// The origins the admin pages load images and model files from, besides their own: the public media URL, the hosts
// of imported http(s) model files and thumbnails (read from the catalogue), and THUMBGEN_EXTRA_ORIGINS. The CSP of
// /admin/ and GET /api/v1/admin/settings both name them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/catalogue.h"

namespace thumbgen::server {

class ContentOrigins {
 public:
  // `public_url`: where /media/ and /files/ are reached (THUMBGEN_PUBLIC_URL). `extra`: origins (already checked).
  // The first read of the catalogue starts here, on a thread of its own.
  ContentOrigins(Catalogue& catalogue, const std::string& public_url, std::vector<std::string> extra);
  ~ContentOrigins();
  ContentOrigins(const ContentOrigins&) = delete;
  ContentOrigins& operator=(const ContentOrigins&) = delete;

  // The origin of the public URL ("" when it has none).
  const std::string& media_origin() const { return media_origin_; }
  // `extra` in its order, then the catalogue's external origins sorted, each once. The catalogue is scanned (1.6 s
  // for 2M format rows) on a thread of its own, again when an answer is older than kRefresh (an import while the
  // server runs shows within a minute): callers get the last answer and wait only for the very first one. Beyond
  // kMaxOrigins distinct origins the catalogue's are replaced by "https:" (any https host) and a warning is logged
  // once: a policy header must stay small, and such a gallery should name its CDNs in THUMBGEN_EXTRA_ORIGINS.
  std::vector<std::string> file_origins();

  static constexpr std::chrono::seconds kRefresh{60};
  static constexpr std::size_t kMaxOrigins = 32;

 private:
  void start_refresh();  // with mutex_ held
  std::vector<std::string> read_origins();

  Catalogue& catalogue_;
  std::string media_origin_;
  std::vector<std::string> extra_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::string> cached_;
  std::chrono::steady_clock::time_point read_at_{};
  bool fresh_ = false, refreshing_ = false, warned_ = false;
  std::thread reader_;
};

}  // namespace thumbgen::server
