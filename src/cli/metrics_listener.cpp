#include "cli/metrics_listener.h"

#include <stdexcept>

#include "server/metrics_scrape.h"
#include "util/listen_address.h"

namespace thumbgen::cli {

using namespace thumbgen::server;

MetricsListener::MetricsListener(const std::string& listen, const std::vector<std::string>& allowed_hosts,
                                 std::function<std::string()> scrape, HttpServer::Observer observer) {
  auto [host, port] = util::split_listen_address(listen.starts_with(':') ? "127.0.0.1" + listen : listen);
  // GET only, no body (a Content-Length over 0 is 413 on the headers); every other path is 404.
  router_.add(http::verb::get, "/metrics", {0, nullptr}, [scrape = std::move(scrape)](ApiRequest&) {
    ApiResponse response;
    response.content_type = kMetricsContentType;
    response.body = scrape();
    return response;
  });
  HttpOptions options;
  options.header_limit = 8 * 1024;  // a scrape's headers are a few hundred bytes
  options.header_timeout = std::chrono::seconds(5);
  options.body_limit = 0;
  options.max_connections = 64;
  options.max_connections_per_address = 16;
  options.io_threads = 1;
  options.worker_threads = 1;
  options.file_threads = 1;
  options.allowed_hosts = make_host_allowlist(host, "", allowed_hosts);
  server_ = std::make_unique<HttpServer>(
      options,
      [this](const HttpRequest& request, const std::string& client) { return router_.dispatch(request, client); },
      [this](const HttpRequest& header, const std::string& client) { return router_.admit(header, client); });
  server_->observe(std::move(observer));
  try {
    port_ = server_->listen(host, port);
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(error.code().message());  // "Address already in use", without Boost's source location
  }
  const bool ipv6 = host.find(':') != std::string::npos;
  url_ = "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port_) + "/metrics";
  thread_ = std::thread([this] { server_->run(); });
}

MetricsListener::~MetricsListener() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace thumbgen::cli
