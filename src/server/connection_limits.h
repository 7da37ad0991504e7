// Connections one client may hold (issue 10, item 7), and the answer to a connection over a cap.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace thumbgen::server {

// The client a connection counts against: its IPv4 address (also when it arrives IPv4-mapped on an IPv6 socket),
// or the /64 of an IPv6 address (one host is handed a whole /64).
std::string connection_key(const boost::asio::ip::address& address);

// Open connections per client key, capped: one address (one attacker) cannot hold every connection of the server.
class ConnectionsPerClient {
 public:
  explicit ConnectionsPerClient(std::size_t cap) : cap_(cap) {}
  // Counts a new connection of `key`; false, counting nothing, when `key` already holds `cap`.
  bool try_add(const std::string& key);
  void remove(const std::string& key);

 private:
  std::size_t cap_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
};

// Answers a connection the server will not serve (over a cap) with a 503 and Retry-After, without waiting for its
// request, and closes it. Whatever the client already sent is read and dropped first, so that the close is a FIN
// rather than a reset, which could cost the client the answer.
void shed_connection(boost::asio::ip::tcp::socket& socket, std::string_view detail);

}  // namespace thumbgen::server
