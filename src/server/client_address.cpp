#include "server/client_address.h"

#include <optional>
#include <stdexcept>

namespace thumbgen::server {

namespace ip = boost::asio::ip;

namespace {

constexpr std::size_t kMaxHops = 64;  // more forwarding hops than any real chain: the rest is not looked at

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

ip::address normalised(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  ip::address address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return normalised(address);
}

// One X-Forwarded-For element: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:80".
std::optional<ip::address> parse_hop(std::string_view hop) {
  hop = trim(hop);
  if (hop.starts_with('[')) {
    std::size_t close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = hop.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    return parse_address(hop.substr(1, close - 1));
  }
  if (std::size_t colon = hop.find(':'); colon != std::string_view::npos && hop.find(':', colon + 1) == hop.npos)
    hop = hop.substr(0, colon);  // IPv4 with a port (an IPv6 address has several colons)
  return parse_address(hop);
}

}  // namespace

TrustedProxies TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = std::min(list.find(',', start), list.size());
    std::string_view item = trim(list.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    const std::string text(item);
    boost::system::error_code ec;
    if (item.find('/') == std::string_view::npos) {
      auto address = parse_address(item);
      if (!address) throw std::invalid_argument("trusted_proxies: not an address or network: '" + text + "'");
      if (address->is_v4())
        proxies.v4_.push_back(ip::make_network_v4(address->to_v4(), 32));
      else
        proxies.v6_.push_back(ip::make_network_v6(address->to_v6(), 128));
    } else if (auto v4 = ip::make_network_v4(text, ec); !ec) {
      proxies.v4_.push_back(v4.canonical());
    } else if (auto v6 = ip::make_network_v6(text, ec); !ec) {
      proxies.v6_.push_back(v6.canonical());
    } else {
      throw std::invalid_argument("trusted_proxies: not an address or network: '" + text + "'");
    }
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& address) const {
  const ip::address plain = normalised(address);
  if (plain.is_v4()) {
    const auto host = ip::make_network_v4(plain.to_v4(), 32);
    for (const auto& network : v4_)
      if (host == network || host.is_subnet_of(network)) return true;
    return false;
  }
  const auto host = ip::make_network_v6(plain.to_v6(), 128);
  for (const auto& network : v6_)
    if (host == network || host.is_subnet_of(network)) return true;
  return false;
}

std::string forwarded_for(const boost::beast::http::fields& fields) {
  std::string joined;
  auto [first, last] = fields.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) {
    if (!joined.empty()) joined += ',';
    joined.append(it->value().data(), it->value().size());
  }
  return joined;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for, const TrustedProxies& trusted) {
  std::optional<ip::address> current = parse_address(peer);
  if (!current) return std::string(peer);
  std::size_t end = forwarded_for.size();
  for (std::size_t hops = 0; hops < kMaxHops && trusted.contains(*current); ++hops) {
    if (end == 0 || trim(forwarded_for.substr(0, end)).empty()) break;  // every hop was a trusted proxy
    std::size_t comma = forwarded_for.rfind(',', end - 1);
    std::size_t start = comma == std::string_view::npos ? 0 : comma + 1;
    std::optional<ip::address> hop = parse_hop(forwarded_for.substr(start, end - start));
    if (!hop) break;  // what the last trusted proxy wrote is no address: that proxy is all we know
    current = hop;
    end = comma == std::string_view::npos ? 0 : comma;
  }
  return current->to_string();
}

std::string address_bucket(std::string_view address) {
  std::optional<ip::address> parsed = parse_address(address);
  if (!parsed) return std::string(address);
  if (parsed->is_v4()) return parsed->to_string();
  auto prefix = ip::make_network_v6(parsed->to_v6(), 64).canonical();
  return prefix.to_string();
}

}  // namespace thumbgen::server
