#include "cli/metrics_listener.h"

#include "server/metrics_scrape.h"

namespace thumbgen::cli {

using namespace thumbgen::server;

MetricsListener::MetricsListener(const ServerConfig& config, std::function<std::string()> scrape,
                                 HttpServer::Observer observer) {
  auto [host, port] = split_listen_address(config.metrics_listen);
  // GET only, no body (a Content-Length over 0 is 413 on the headers); every other path is 404.
  router_.add(http::verb::get, "/metrics", {0, nullptr}, [scrape = std::move(scrape)](ApiRequest&) {
    ApiResponse response;
    response.content_type = kMetricsContentType;
    response.body = scrape();
    return response;
  });
  HttpOptions options;
  options.body_limit = 0;
  options.max_connections = 64;
  options.max_connections_per_address = 16;
  options.io_threads = 1;
  options.worker_threads = 1;
  options.file_threads = 1;
  options.allowed_hosts = make_host_allowlist(host, "", config.allowed_hosts);
  server_ = std::make_unique<HttpServer>(
      options,
      [this](const HttpRequest& request, const std::string& client) { return router_.dispatch(request, client); },
      [this](const HttpRequest& header, const std::string& client) { return router_.admit(header, client); });
  server_->observe(std::move(observer));
  port_ = server_->listen(host, port);
  thread_ = std::thread([this] { server_->run(); });
}

MetricsListener::~MetricsListener() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace thumbgen::cli
