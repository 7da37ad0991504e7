// Who a request comes from: the socket's peer, or, when that peer is a trusted reverse proxy, the client the proxies
// name in X-Forwarded-For. Login throttling counts per client, so behind a proxy (where every request comes from
// the proxy) it needs this to tell clients apart; anyone else's X-Forwarded-For is ignored, as anyone can send one.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::server {

// The addresses whose X-Forwarded-For is believed (THUMBGEN_TRUSTED_PROXIES). Empty by default.
class TrustedProxies {
 public:
  // Comma-separated addresses or networks: "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8". Throws std::invalid_argument
  // naming the bad entry.
  static TrustedProxies parse(std::string_view list);

  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The client's address as text. `peer` is the socket's remote address; `forwarded_for` every X-Forwarded-For value
// of the request joined with ','. Only while the hop at hand is trusted is the next one to its left believed, so the
// answer is the rightmost address no trusted proxy vouches for; a hop that is no address stops the walk at the last
// trusted one. IPv4-mapped IPv6 addresses come back as IPv4.
std::string client_address(std::string_view peer, std::string_view forwarded_for, const TrustedProxies& trusted);

// Every X-Forwarded-For line of a request's `fields`, in order, as one list (client_address's `forwarded_for`).
std::string forwarded_for(const boost::beast::http::fields& fields);

// What failures are counted under: an IPv4 address itself, an IPv6 address's /64 (one host usually holds a whole
// /64, so counting single IPv6 addresses would let it guess without end). Text that is no address stays as it is.
std::string address_bucket(std::string_view address);

}  // namespace thumbgen::server
