// A small blocking HTTP client on libcurl for the worker: one easy handle reused (keep-alive), timeouts, a cap on
// response sizes, only http/https, never follows a redirect itself (FileDownloader follows them, checking each).
// With a connection check, every connection libcurl opens is checked on its resolved address first.
// Not thread-safe: one client per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "worker/address_class.h"

namespace thumbgen::worker {

struct HttpLimits {
  long connect_timeout_ms = 10'000;
  long timeout_ms = 120'000;                     // whole transfer
  std::uint64_t max_response_bytes = 64u << 20;  // API answers (downloads give their own cap)
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::optional<SocketAddress> connected_to;   // the address the answer came from
  std::string redirect_url;                    // a 3xx answer's Location, made absolute by libcurl
  std::string header(const std::string& name) const;
  nlohmann::json json() const;  // discarded value when the body is not JSON
};

// The request never got an answer: connection refused, timeout, reset. Worth retrying.
class NetworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A connection was refused by the connection check (the reason is its answer). Not worth retrying.
class ConnectionRefusedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The answer was bigger than allowed. Not worth retrying.
class TooLargeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpClient {
 public:
  explicit HttpClient(HttpLimits limits = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void set_bearer(const std::string& token) { bearer_ = token; }

  // Why no connection may be made to an address (nullopt: it may). Set, it is asked for every address libcurl is
  // about to connect to, before the socket exists (CURLOPT_OPENSOCKETFUNCTION): a refused address never sees a
  // packet. Proxies are then off (through one, the address would be the proxy's).
  using ConnectionCheck = std::function<std::optional<std::string>(const SocketAddress&)>;
  void set_connection_check(ConnectionCheck check) { connection_check_ = std::move(check); }

  HttpResponse get(const std::string& url, const std::map<std::string, std::string>& headers = {});
  HttpResponse post_json(const std::string& url, const nlohmann::json& body,
                         const std::map<std::string, std::string>& headers = {});
  // GET into `file` (written only on a 200; other statuses keep their body in the response). Sends no bearer token:
  // model files may live on another host.
  HttpResponse download(const std::string& url, const std::filesystem::path& file, std::uint64_t max_bytes,
                        const std::map<std::string, std::string>& headers = {});

 private:
  HttpResponse perform(const std::string& method, const std::string& url, const std::string* body,
                       const std::map<std::string, std::string>& headers, bool with_bearer, std::FILE* sink,
                       std::uint64_t max_bytes);

  HttpLimits limits_;
  void* curl_ = nullptr;  // CURL*
  std::string bearer_;
  ConnectionCheck connection_check_;
};

}  // namespace thumbgen::worker
