// The HTTP/1.1 server on Boost.Beast: async I/O on a few threads, handlers on a separate worker pool (so slow
// hashing or SQLite never stalls I/O), limits for every framing, deadlines, bounded connections, graceful stop.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "server/client_address.h"
#include "server/connection_limits.h"
#include "server/file_reads.h"
#include "server/host_allowlist.h"
#include "server/http_router.h"

namespace thumbgen::server {

struct HttpOptions {
  std::size_t header_limit = 16 * 1024;
  std::uint64_t body_limit = 24 * 1024 * 1024;        // the largest body of any route, checked on the headers (413)
  std::chrono::milliseconds header_timeout{15'000};   // also the keep-alive idle time
  std::chrono::milliseconds request_timeout{60'000};  // header + body, from the first byte
  std::chrono::milliseconds write_timeout{300'000};   // one response (large files to slow clients)
  std::chrono::milliseconds shutdown_grace{20'000};   // in-flight requests after SIGTERM
  std::size_t max_connections = 1024;
  int io_threads = 2;
  int worker_threads = 4;
  std::vector<std::string> cors_origins;  // exact origins, or "*"

  // Issue 10 hardening (kept together).
  HostAllowlist allowed_hosts;  // a request for any other Host is 400 (the default answers loopback names only)
  std::size_t max_connections_per_address = 128;  // an IPv4 address or an IPv6 /64; over it (or max_connections): 503
  int file_threads = 4;  // threads reading the files responses send (a stuck disk holds these, not the I/O threads)

  TrustedProxies trusted_proxies;  // peers whose X-Request-Id and X-Forwarded-For the log believes; none by default
};

class Session;

class HttpServer {
 public:
  using Dispatch = std::function<ApiResponse(const HttpRequest&, const std::string& client_address)>;
  // Runs on the worker pool on a request's headers when a body follows, before any of it is read. Without one,
  // every body may take options.body_limit.
  using Admit = std::function<Admission(const HttpRequest& header, const std::string& client_address)>;

  // Told of every response written (the metrics): the route pattern ("" when no route answered), the method, the
  // status and the seconds from the request's first byte. Runs on an I/O thread: must be quick and lock-free.
  using Observer = std::function<void(std::string_view route, std::string_view method, int status, double seconds)>;

  HttpServer(HttpOptions options, Dispatch dispatch, Admit admit = nullptr);
  ~HttpServer();

  void observe(Observer observer) { observer_ = std::move(observer); }  // before run()

  // Binds and listens; returns the bound port (useful with port 0).
  unsigned short listen(const std::string& address, unsigned short port);
  // SIGINT/SIGTERM start a graceful shutdown from now on. Call before announcing the port, so that a signal sent
  // as soon as the server is reachable is never handled by the default action (death without finishing requests).
  void catch_stop_signals();
  // Serves until stop() or a caught signal, then finishes in-flight requests and returns.
  void run();
  void stop();  // thread-safe

  std::size_t open_connections() const { return connections_.load(); }

 private:
  friend class Session;
  void accept();
  void begin_shutdown();
  void track(Session* session);
  void untrack(Session* session);

  HttpOptions options_;
  Dispatch dispatch_;
  Admit admit_;
  Observer observer_;
  // What a session's destructor uses comes before io_: sessions still queued in io_ when the loop was stopped
  // (after the shutdown grace) are destroyed with it, after the members declared below it.
  std::atomic<std::size_t> connections_{0};
  ConnectionsPerClient per_client_;
  std::mutex sessions_mutex_;
  std::unordered_set<Session*> sessions_;
  FileReadPool file_reads_;  // closed first thing in the destructor: nothing is delivered to a dying io_
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::thread_pool workers_;
  std::optional<boost::asio::signal_set> signals_;
  std::atomic<bool> stopping_{false};
};

// Adds CORS headers when the request's Origin is allowed; answers preflights. Exposed for tests.
void apply_cors(const HttpRequest& request, const std::vector<std::string>& origins, http::response_header<>& response);

}  // namespace thumbgen::server
