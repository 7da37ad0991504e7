// `thumbgen work --metrics-listen HOST:PORT`: GET /metrics in the Prometheus text format on its own thread. A small
// server of its own (the worker does not link src/server): one request per connection, 8 KiB of headers at most,
// 5 s to send them, no body. The address is the access control (loopback unless told otherwise); a Host other than
// an IP address or localhost is refused, so a web page cannot reach it by DNS rebinding.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>
#include <thread>

namespace thumbgen::worker {

class MetricsEndpoint {
 public:
  // Binds `listen` ("host:port", port 0: any free one) or throws std::runtime_error naming it.
  MetricsEndpoint(const std::string& listen, std::function<std::string()> scrape);
  ~MetricsEndpoint();  // stops and joins
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  unsigned short port() const { return port_; }

 private:
  void accept();

  std::function<std::string()> scrape_;
  int open_ = 0;  // connections being served (touched by the I/O thread only); outlives io_'s handlers
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
};

// The answer to one request head ("GET /metrics HTTP/1.1\r\nHost: ...\r\n\r\n"): status line, headers and body.
// Exposed for the tests.
std::string metrics_answer(std::string_view head, const std::function<std::string()>& scrape);

}  // namespace thumbgen::worker
