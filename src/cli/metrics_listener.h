// The token-less metrics listener of `thumbgen serve` (THUMBGEN_METRICS_LISTEN, default 127.0.0.1:9464) and
// `thumbgen work --metrics-listen`: GET (and HEAD) /metrics only, no body, on its own thread and connections. The
// address is the access control, so:
// - an address without a host (":9464") is loopback here, not every interface: a listener without a token opens to
//   the network only when told to;
// - a Host other than a loopback name, the bound address (unless a wildcard) or one of `allowed_hosts` is 400, so a
//   web page cannot reach it by pointing a name of its own at this address (DNS rebinding).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http_router.h"
#include "server/http_server.h"

namespace thumbgen::cli {

class MetricsListener {
 public:
  // Binds `listen` ("host:port", port 0: any free one) or throws, and serves `scrape` there until destroyed.
  // `observer` (may be empty) is told of every response, as the main port's are.
  MetricsListener(const std::string& listen, const std::vector<std::string>& allowed_hosts,
                  std::function<std::string()> scrape, server::HttpServer::Observer observer = nullptr);
  ~MetricsListener();  // stops and joins
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  unsigned short port() const { return port_; }
  const std::string& url() const { return url_; }  // "http://127.0.0.1:9464/metrics", with the bound port

 private:
  server::Router router_;
  std::unique_ptr<server::HttpServer> server_;
  unsigned short port_ = 0;
  std::string url_;
  std::thread thread_;
};

}  // namespace thumbgen::cli
