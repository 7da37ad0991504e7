// The worker's one URL parser: libcurl's URL API (CURLU), the parser the transfer itself uses, so the host a URL is
// checked against is the host libcurl connects to. Only http and https; no user name or password in the URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thumbgen::worker {

struct HttpUrl {
  std::string url;          // as libcurl writes it back (normalised)
  std::string scheme;       // "http" or "https"
  std::string host;         // lower-case, no trailing dot; an IPv6 address in brackets; IPv4 in dotted form
  std::string port;         // decimal; the scheme's default when the URL gives none
  bool port_given = false;  // the URL names its port
  std::string path;         // percent-encoded, starts with '/'
  std::string authority() const { return host + ":" + port; }
};

// Parses an absolute http(s) URL. nullopt, with the reason in `why`, for anything else.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string* why = nullptr);

// `reference` (absolute, or relative to `base` as a browser resolves it) as an absolute http(s) URL.
std::optional<HttpUrl> resolve_http_url(const HttpUrl& base, std::string_view reference, std::string* why = nullptr);

// Where `url` lies below the folder of `base` (same scheme, host and port; its path under base's last '/'), as a
// percent-decoded relative path ("tex/a b.png"); nullopt when it lies elsewhere.
std::optional<std::string> path_below_folder_of(const HttpUrl& base, const HttpUrl& url);

// The last segment of the URL's path, percent-decoded ("" when the path ends in '/').
std::string last_path_segment(const HttpUrl& url);

}  // namespace thumbgen::worker
