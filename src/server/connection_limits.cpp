#include "server/connection_limits.h"

#include <boost/asio/buffer.hpp>
#include <cstdio>

namespace thumbgen::server {

std::string connection_key(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().to_string();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  char prefix[48];
  std::snprintf(prefix, sizeof prefix, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
  return prefix;
}

bool ConnectionsPerClient::try_add(const std::string& key) {
  std::lock_guard lock(mutex_);
  std::size_t& open = open_[key];
  if (open >= cap_) {
    if (open == 0) open_.erase(key);
    return false;
  }
  ++open;
  return true;
}

void ConnectionsPerClient::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(key);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

void shed_connection(boost::asio::ip::tcp::socket& socket, std::string_view detail) {
  std::string body = R"({"detail":")" + std::string(detail) + R"("})";
  std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nServer: thumbgen\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(boost::asio::buffer(response), ignored);  // a new socket's buffer takes it whole
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  char sink[4096];
  for (int i = 0; i < 16; ++i) {  // bounded: a client streaming a body is not waited for
    boost::system::error_code ec;
    if (socket.read_some(boost::asio::buffer(sink), ec) == 0 || ec) break;
  }
  socket.close(ignored);
}

}  // namespace thumbgen::server
