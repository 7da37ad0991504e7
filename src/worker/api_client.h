// The server's API as the worker uses it: login, the spec's missing-thumbnails listing and upload, the
// thumbnail-failure report, and the claim protocol (claim / heartbeat / complete / fail / release).
// Transient failures (no answer, 5xx, 429) are retried with exponential backoff and jitter; a 401 after a fresh
// login (or on login itself) is AuthError, never retried. Thread-safe: calls are serialised on one connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "worker/http_client.h"

namespace thumbgen::worker {

// One file the server publishes with a format (the claim answer's "files"): its URL and, for files the server
// serves itself, its path in the asset's folder.
struct PublishedFile {
  std::string url, path;
};

struct FormatInfo {
  std::string format_type, root_url;
  bool is_preferred = false;
  // The claim answer's file list, main file first; nullopt when the server gives none (the spec's listing).
  std::optional<std::vector<PublishedFile>> files = std::nullopt;
};

struct AssetInfo {
  std::string id;   // decimal id (id_str), or the url when the server gives no id
  std::string url;  // the public string id
  std::string name;
  std::vector<FormatInfo> formats;
  std::string display() const { return name.empty() ? url : name + " (" + url + ")"; }
};
AssetInfo parse_asset(const nlohmann::json& object);

struct Job {
  std::string job_id, fencing_token;
  int attempt = 0;
  AssetInfo asset;
  // Sent as X-Correlation-Id with every request about this job, and in the worker's log lines about it:
  // "<the claim's X-Request-Id>.<job id>", so the claim, the job's requests and both sides' logs tie together.
  std::string correlation_id = {};
  // The claim's "render_settings" object (render/render_settings.h), read in the render process; null when the
  // server sends none (older servers): the worker's own options apply.
  nlohmann::json render_settings = nullptr;
};

struct MissingPage {
  std::vector<AssetInfo> assets;
  std::int64_t total_count = 0;
  bool has_more = false;
};

struct HeartbeatAnswer {
  bool cancel = false;
  bool stale = false;  // 409: the job is no longer ours
};

// 401/403: the credentials do not work. Fatal.
class AuthError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// 409 on a job call: our fencing token is stale.
class StaleTokenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Any other refusal (4xx) or transient failure that outlived its retries.
class ApiError : public std::runtime_error {
 public:
  ApiError(long status, const std::string& message) : std::runtime_error(message), status(status) {}
  long status;
};

struct RetryPolicy {
  int attempts = 8;  // tries in all: the waits add up to 31-62 s, enough to ride out a server restart
  std::chrono::milliseconds first_delay{500}, max_delay{30'000};
};

class ApiClient {
 public:
  // `server_url` like "http://127.0.0.1:8080" (a trailing '/' is dropped). `stopping` makes retry waits end early.
  ApiClient(std::string server_url, RetryPolicy retry = {}, std::function<bool()> stopping = {});

  // Called (under the client's lock) before each wait for a retry, with what failed and how long the wait is.
  void on_retry(std::function<void(const std::string&)> log) { on_retry_ = std::move(log); }
  // Called (under the client's lock) with the address of every answer from the server (FetchPolicy learns from it
  // where the server is).
  void on_answer_from(std::function<void(const SocketAddress&)> observe) { on_answer_from_ = std::move(observe); }

  void use_token(const std::string& token);
  // Logs in and remembers the credentials to log in again before the token expires.
  void login(const std::string& user, const std::string& password);

  MissingPage list_missing(int limit, std::int64_t offset);
  // Returns the thumbnail_url.
  std::string upload_thumbnail(const std::string& asset_key, const std::vector<std::uint8_t>& jpeg);
  // False when the server has no thumbnail-failure endpoint (404 from the route, not the asset).
  bool report_failure(const std::string& asset_key, const std::string& reason);

  // nullopt: the server has no claim protocol (404).
  std::optional<std::vector<Job>> claim(const std::string& worker, int max, int lease_seconds);
  HeartbeatAnswer heartbeat(const Job& job, int lease_seconds);
  // `provenance` fields ("renderer_version", "camera", "render_seconds") go into the body beside the thumbnail; servers
  // that do not know them ignore them. Throws StaleTokenError.
  std::string complete(const Job& job, const std::vector<std::uint8_t>& jpeg,
                       const nlohmann::json& provenance = nlohmann::json::object());
  void fail(const Job& job, const std::string& reason, bool retryable);  // a stale token is ignored
  // Hands an untried job back (the worker stops): no attempt counted, no backoff. A stale token is ignored; a
  // server without the release route gets a retryable fail instead.
  void release(const Job& job);

  // Before try `attempt + 1` of something that failed transiently (`what` says what): logs it through on_retry
  // and waits the client's backoff. False, without waiting, when the tries are used up or the worker stops.
  bool wait_to_retry(int attempt, const std::string& what);

  const std::string& server_url() const { return server_url_; }
  int requests_sent() const { return requests_.load(); }

 private:
  HttpResponse send(const std::string& method, const std::string& path, const nlohmann::json& body,
                    const std::map<std::string, std::string>& headers = {});
  void refresh_token_if_due();
  void login_locked();
  void noticed(const HttpResponse& response);

  std::string server_url_;
  RetryPolicy retry_;
  std::function<bool()> stopping_;
  std::function<void(const std::string&)> on_retry_;
  std::function<void(const SocketAddress&)> on_answer_from_;
  std::recursive_mutex mutex_;
  HttpClient http_;
  std::string user_, password_;
  std::chrono::steady_clock::time_point token_refresh_at_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point token_obtained_at_{};
  std::atomic<int> requests_{0};
};

// "detail" of an error body, else the body's start.
std::string error_detail(const HttpResponse& response);

}  // namespace thumbgen::worker
