// `thumbgen serve`'s separate metrics listener (THUMBGEN_METRICS_LISTEN, default 127.0.0.1:9464): GET /metrics
// only, no token (the address is the access control: loopback by default), on its own thread and connections.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "server/http_router.h"
#include "server/http_server.h"
#include "server/server_config.h"

namespace thumbgen::cli {

class MetricsListener {
 public:
  // Binds config.metrics_listen (throws on failure) and serves `scrape` there until stop().
  MetricsListener(const server::ServerConfig& config, std::function<std::string()> scrape,
                  server::HttpServer::Observer observer);
  ~MetricsListener();  // stops and joins
  unsigned short port() const { return port_; }

 private:
  server::Router router_;
  std::unique_ptr<server::HttpServer> server_;
  unsigned short port_ = 0;
  std::thread thread_;
};

}  // namespace thumbgen::cli
