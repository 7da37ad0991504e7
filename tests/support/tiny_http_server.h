// A tiny scripted HTTP/1.1 file server on a loopback address of the test's choosing (127.0.0.2, 127.0.0.3...):
// "another host" for the worker's fetch-policy tests, or a scripted API server. One connection at a time, one request
// per connection (Connection: close); it counts the connections it accepted and the requests per path, and keeps
// the request bodies (Content-Length framing) per path.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace thumbgen::test {

struct TinyReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class TinyHttpServer {
 public:
  // `handler` answers a request for `path` (the request target as sent, query included); `count` is how many
  // requests for that path came before this one (0 the first time).
  using Handler = std::function<TinyReply(const std::string& path, int count)>;

  // Listens on `address`:0 (throws when it cannot).
  TinyHttpServer(const std::string& address, Handler handler);
  ~TinyHttpServer();
  TinyHttpServer(const TinyHttpServer&) = delete;
  TinyHttpServer& operator=(const TinyHttpServer&) = delete;

  unsigned short port() const { return port_; }
  // "http://ADDRESS:PORT"
  std::string origin() const;
  int connections() const { return connections_.load(); }
  int requests(const std::string& path) const;
  std::map<std::string, int> all_requests() const;
  // The bodies of the requests for `path` so far, in order.
  std::vector<std::string> bodies(const std::string& path) const;

  // A handler serving `files` (path → bytes) with 200, anything else with 404.
  static Handler serve(std::map<std::string, std::string> files);

 private:
  void loop();
  void answer(int connection);

  std::string address_;
  Handler handler_;
  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  unsigned short port_ = 0;
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::map<std::string, int> requests_;
  std::map<std::string, std::vector<std::string>> bodies_;
  std::thread thread_;
};

}  // namespace thumbgen::test
