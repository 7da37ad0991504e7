#include "support/metrics_listener_checks.h"

#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <vector>

#include "support/http_client.h"

namespace thumbgen::test {
namespace {

int status_for_host(unsigned short port, const std::string& host_lines) {
  return raw_request(port, "GET /metrics HTTP/1.1\r\n" + host_lines + "\r\n").status;
}

// This machine's IPv4 addresses outside 127.0.0.0/8.
std::vector<boost::asio::ip::address_v4> non_loopback_addresses() {
  std::vector<boost::asio::ip::address_v4> found;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return found;
  for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET) continue;
    auto address =
        boost::asio::ip::make_address_v4(ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr.s_addr));
    if (!address.is_loopback()) found.push_back(address);
  }
  ::freeifaddrs(list);
  return found;
}

}  // namespace

void expect_metrics_listener_rules(unsigned short port, const std::string& allowed_name) {
  const std::string bound = "127.0.0.1:" + std::to_string(port);
  HttpResult scrape = http_request(port, "GET", "/metrics");
  EXPECT_EQ(scrape.status, 200) << scrape.body;
  EXPECT_EQ(scrape.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(http_request(port, "HEAD", "/metrics").status, 200);

  // GET /metrics only, without a body.
  EXPECT_EQ(http_request(port, "GET", "/other").status, 404);
  EXPECT_EQ(http_request(port, "GET", "/metrics/x").status, 404);
  EXPECT_EQ(http_request(port, "POST", "/metrics").status, 405);
  EXPECT_EQ(http_request(port, "GET", "/metrics", "x").status, 413);
  EXPECT_EQ(http_request(port, "POST", "/metrics", "{}").status, 413);  // any body, before routing
  EXPECT_EQ(status_for_host(port, "Host: " + bound + "\r\nX-Pad: " + std::string(9000, 'h') + "\r\n"), 431);

  // Host: loopback names, the bound address and the name it was told; no other name nor address.
  EXPECT_EQ(status_for_host(port, "Host: " + bound + "\r\n"), 200);
  EXPECT_EQ(status_for_host(port, "Host: localhost:1\r\n"), 200);
  EXPECT_EQ(status_for_host(port, "Host: [::1]\r\n"), 200);
  EXPECT_EQ(status_for_host(port, "Host: " + allowed_name + ":" + std::to_string(port) + "\r\n"), 200);
  EXPECT_EQ(status_for_host(port, "Host: rebound.example\r\n"), 400);
  EXPECT_EQ(status_for_host(port, "Host: " + allowed_name + ".rebound.example\r\n"), 400);
  EXPECT_EQ(status_for_host(port, "Host: 10.1.2.3:" + std::to_string(port) + "\r\n"), 400);  // not its address
  EXPECT_EQ(status_for_host(port, "Host: " + bound + "\r\nHost: rebound.example\r\n"), 400);
  EXPECT_EQ(status_for_host(port, "Host: " + bound + "\r\nHost: " + bound + "\r\n"), 400);
  EXPECT_EQ(status_for_host(port, ""), 400);  // HTTP/1.1 without a Host
  EXPECT_EQ(status_for_host(port, "Host: user@" + bound + "\r\n"), 400);
}

void expect_metrics_listener_on_loopback_only(const std::string& url, unsigned short port) {
  EXPECT_EQ(url, "http://127.0.0.1:" + std::to_string(port) + "/metrics");
  for (const auto& address : non_loopback_addresses()) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code error;
    socket.connect({address, port}, error);
    EXPECT_TRUE(error) << "the metrics listener answers on " << address.to_string();
  }
}

}  // namespace thumbgen::test
