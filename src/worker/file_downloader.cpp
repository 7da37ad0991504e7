#include "worker/file_downloader.h"

namespace thumbgen::worker {
namespace {

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

FileDownloader::FileDownloader(const FetchPolicy& policy, HttpLimits limits) : policy_(policy), http_(limits) {
  http_.set_connection_check([this](const SocketAddress& address) { return policy_.check_address(address); });
}

HttpResponse FileDownloader::download(const std::string& url, const std::filesystem::path& file,
                                      std::uint64_t max_bytes) {
  std::string why;
  auto current = parse_http_url(url, &why);
  if (!current) throw DownloadRefusedError(why);
  if (auto refused = policy_.check_url(*current)) throw DownloadRefusedError(*refused);
  std::string redirected_from;  // the hop before, for the reason of a refusal
  for (int redirects = 0;; ++redirects) {
    HttpResponse response;
    try {
      response = http_.download(current->url, file, max_bytes);
    } catch (const ConnectionRefusedError& refused) {
      if (redirected_from.empty()) throw DownloadRefusedError(refused.what());
      throw DownloadRefusedError("redirect from " + redirected_from + " to " + current->url.substr(0, 200) + ": " +
                                 refused.what());
    }
    if (!is_redirect(response.status) || response.redirect_url.empty()) return response;
    const std::string from = current->url.substr(0, 200);
    redirected_from = from;
    if (redirects == kMaxRedirects) {
      throw DownloadRefusedError(from + ": more than " + std::to_string(kMaxRedirects) + " redirects");
    }
    current = parse_http_url(response.redirect_url, &why);
    if (!current) throw DownloadRefusedError("redirect from " + from + " refused: " + why);
    if (auto refused = policy_.check_url(*current)) {
      throw DownloadRefusedError("redirect from " + from + " to " + current->url.substr(0, 200) +
                                 " refused: " + *refused);
    }
  }
}

}  // namespace thumbgen::worker
