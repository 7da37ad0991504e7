// What kind of address a connection would go to: public, or one the worker must not reach unless told to
// (loopback, private networks, link-local, and the reserved, documentation and multicast ranges). IPv4 addresses
// inside IPv6 (mapped, NAT64, 6to4) are judged by the IPv4 address they carry.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace thumbgen::worker {

enum class AddressKind { Public, Loopback, Private, LinkLocal, Reserved };

// "loopback", "private", "link-local", "reserved", "public"
const char* address_kind_name(AddressKind kind);

struct SocketAddress {
  std::string ip;  // canonical text: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6
  unsigned port = 0;
  AddressKind kind = AddressKind::Reserved;
  std::string text() const;  // "1.2.3.4:80", "[::1]:80"
};

// nullopt for anything but AF_INET / AF_INET6.
std::optional<SocketAddress> describe_address(const sockaddr* address, socklen_t length);
// An IP address literal ("10.0.0.1", "::1", "[::1]") with a port, described; nullopt when `ip` is not one.
std::optional<SocketAddress> address_from_text(const std::string& ip, unsigned port);
// The canonical text describe_address gives for an IP address literal; nullopt when `text` is not one (a name).
std::optional<std::string> canonical_ip(const std::string& text);

}  // namespace thumbgen::worker
