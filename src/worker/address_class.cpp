#include "worker/address_class.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace thumbgen::worker {
namespace {

struct Range4 {
  std::uint32_t base;
  int bits;
  AddressKind kind;
};

constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }

// IANA's special-purpose IPv4 registry, as far as a fetch is concerned.
constexpr std::array<Range4, 15> kSpecial4 = {{
    {ip4(0, 0, 0, 0), 8, AddressKind::Reserved},        // "this network"
    {ip4(10, 0, 0, 0), 8, AddressKind::Private},        // RFC 1918
    {ip4(100, 64, 0, 0), 10, AddressKind::Private},     // carrier-grade NAT
    {ip4(127, 0, 0, 0), 8, AddressKind::Loopback},      //
    {ip4(169, 254, 0, 0), 16, AddressKind::LinkLocal},  // cloud metadata services live here
    {ip4(172, 16, 0, 0), 12, AddressKind::Private},     // RFC 1918
    {ip4(192, 0, 0, 0), 24, AddressKind::Reserved},     // IETF protocol assignments
    {ip4(192, 0, 2, 0), 24, AddressKind::Reserved},     // documentation
    {ip4(192, 88, 99, 0), 24, AddressKind::Reserved},   // 6to4 relay anycast
    {ip4(192, 168, 0, 0), 16, AddressKind::Private},    // RFC 1918
    {ip4(198, 18, 0, 0), 15, AddressKind::Reserved},    // benchmarking
    {ip4(198, 51, 100, 0), 24, AddressKind::Reserved},  // documentation
    {ip4(203, 0, 113, 0), 24, AddressKind::Reserved},   // documentation
    {ip4(224, 0, 0, 0), 4, AddressKind::Reserved},      // multicast
    {ip4(240, 0, 0, 0), 4, AddressKind::Reserved},      // reserved and broadcast
}};

AddressKind classify4(std::uint32_t address) {
  for (const Range4& range : kSpecial4) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - range.bits);
    if ((address & mask) == range.base) return range.kind;
  }
  return AddressKind::Public;
}

std::uint32_t read4(const std::uint8_t* bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 | bytes[3];
}

bool starts_with(const std::uint8_t* bytes, std::initializer_list<std::uint8_t> prefix) {
  return std::memcmp(bytes, prefix.begin(), prefix.size()) == 0;
}

// The IPv6 special-purpose registry; addresses that embed an IPv4 address are judged by it (`embedded` set).
AddressKind classify6(const std::uint8_t* b, std::optional<std::uint32_t>& embedded) {
  static constexpr std::uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0) return b[15] == 1 ? AddressKind::Loopback : AddressKind::Reserved;  // ::1, ::
  if (std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) {  // ::ffff:a.b.c.d
    embedded = read4(b + 12);
    return classify4(*embedded);
  }
  if (std::memcmp(b, kZero, 12) == 0) return AddressKind::Reserved;                     // IPv4-compatible (deprecated)
  if (starts_with(b, {0x00, 0x64, 0xff, 0x9b}) && std::memcmp(b + 4, kZero, 8) == 0) {  // NAT64 64:ff9b::/96
    return classify4(read4(b + 12));
  }
  if (starts_with(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) return AddressKind::Private;                // local NAT64
  if (starts_with(b, {0x01, 0x00}) && std::memcmp(b + 2, kZero, 6) == 0) return AddressKind::Reserved;  // discard
  if (starts_with(b, {0x20, 0x01, 0x0d, 0xb8})) return AddressKind::Reserved;                           // documentation
  if (starts_with(b, {0x20, 0x01, 0x00, 0x00})) return AddressKind::Reserved;  // Teredo (hides its IPv4 address)
  if (starts_with(b, {0x20, 0x02})) return classify4(read4(b + 2));            // 6to4
  if ((b[0] & 0xfe) == 0xfc) return AddressKind::Private;                      // unique local fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressKind::LinkLocal;    // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressKind::Private;      // site-local fec0::/10 (deprecated)
  if (b[0] == 0xff) return AddressKind::Reserved;                              // multicast
  return AddressKind::Public;
}

std::string text4(std::uint32_t address) {
  in_addr raw{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &raw, text, sizeof text);
  return text;
}

}  // namespace

const char* address_kind_name(AddressKind kind) {
  switch (kind) {
    case AddressKind::Public:
      return "public";
    case AddressKind::Loopback:
      return "loopback";
    case AddressKind::Private:
      return "private";
    case AddressKind::LinkLocal:
      return "link-local";
    case AddressKind::Reserved:
      return "reserved";
  }
  return "reserved";
}

std::string SocketAddress::text() const {
  const std::string host = ip.find(':') == std::string::npos ? ip : "[" + ip + "]";
  return host + ":" + std::to_string(port);
}

std::optional<SocketAddress> describe_address(const sockaddr* address, socklen_t length) {
  if (!address) return std::nullopt;
  SocketAddress result;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof v4);
    const std::uint32_t host_order = ntohl(v4.sin_addr.s_addr);
    result.ip = text4(host_order);
    result.port = ntohs(v4.sin_port);
    result.kind = classify4(host_order);
    return result;
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof v6);
    std::optional<std::uint32_t> mapped;
    result.kind = classify6(v6.sin6_addr.s6_addr, mapped);
    result.port = ntohs(v6.sin6_port);
    if (mapped) {
      result.ip = text4(*mapped);
    } else {
      char text[INET6_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
      result.ip = text;
    }
    return result;
  }
  return std::nullopt;
}

std::optional<SocketAddress> address_from_text(const std::string& ip, unsigned port) {
  std::string bare = ip;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, bare.c_str(), &v4.sin_addr) == 1) {
    return describe_address(reinterpret_cast<sockaddr*>(&v4), sizeof v4);
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET6, bare.c_str(), &v6.sin6_addr) == 1) {
    return describe_address(reinterpret_cast<sockaddr*>(&v6), sizeof v6);
  }
  return std::nullopt;
}

std::optional<std::string> canonical_ip(const std::string& text) {
  auto address = address_from_text(text, 0);
  return address ? std::optional<std::string>(address->ip) : std::nullopt;
}

}  // namespace thumbgen::worker
