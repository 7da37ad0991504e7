// Where the worker may download model files from (DESIGN §5: no SSRF). Two checks, both needed:
//  - the URL (check_url): http(s) only, and its host must be the server's own (host and port of --server) or one
//    given with --allow-host / THUMBGEN_ALLOW_HOSTS ("HOST" allows any port of it, "HOST:PORT" that port only);
//  - every connection (check_address, called with the address libcurl resolved, before the socket exists):
//    public addresses pass; a loopback, private, link-local or reserved one only when the server itself is there
//    (an address:port the API connections use) or when it was allowed by address ("--allow-host 10.0.0.5[:PORT]").
//    A host allowed by name must resolve to public addresses: DNS alone cannot point the worker inward.
// Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "worker/address_class.h"
#include "worker/http_url.h"

namespace thumbgen::worker {

class FetchPolicy {
 public:
  // Throws std::invalid_argument naming the entry when an allowed host is not "HOST", "HOST:PORT" or an http(s)
  // origin, or `server_url` is not an http(s) URL. An empty `server_url`: no server (`thumbgen render` fetching
  // brush textures), only the allowed hosts.
  FetchPolicy(const std::string& server_url, const std::vector<std::string>& allowed_hosts);

  // Why `url` may not be fetched; nullopt when it may.
  std::optional<std::string> check_url(const HttpUrl& url) const;
  // Why no connection may be made to `address`; nullopt when it may.
  std::optional<std::string> check_address(const SocketAddress& address) const;

  // The API client connected to the server at `address`: downloads may connect there too.
  void note_server_address(const SocketAddress& address);

 private:
  struct Allowed {
    std::string host;               // as HttpUrl::host
    std::string port;               // empty: any
    std::optional<std::string> ip;  // canonical, when `host` is an IP address literal
  };
  static Allowed parse_entry(const std::string& entry);

  std::optional<HttpUrl> server_;
  std::vector<Allowed> allowed_;
  mutable std::mutex mutex_;
  std::set<std::string> server_addresses_;  // SocketAddress::text()
};

// The --allow-host values and THUMBGEN_ALLOW_HOSTS (comma-separated) together, blanks trimmed, empties dropped.
std::vector<std::string> allowed_hosts_from(const std::vector<std::string>& options, const char* environment);

}  // namespace thumbgen::worker
