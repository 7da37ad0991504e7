// Downloads a model file under the FetchPolicy: the URL is checked before any connection, every connection on its
// resolved address (HttpClient's connection check), and redirects are followed here, not by libcurl, so that
// each hop's URL passes the same check before it is requested (at most kMaxRedirects). Not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "worker/fetch_policy.h"
#include "worker/http_client.h"

namespace thumbgen::worker {

// The policy refused a URL (its host) or a connection (its address). Not worth retrying.
class DownloadRefusedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FileDownloader {
 public:
  static constexpr int kMaxRedirects = 5;

  FileDownloader(const FetchPolicy& policy, HttpLimits limits);

  // GET `url` into `file` (written only on a 200). Returns the last answer (a non-200 status is the caller's to
  // judge). Throws DownloadRefusedError, NetworkError (no answer: worth retrying) or TooLargeError.
  HttpResponse download(const std::string& url, const std::filesystem::path& file, std::uint64_t max_bytes);

 private:
  const FetchPolicy& policy_;
  HttpClient http_;
};

}  // namespace thumbgen::worker
