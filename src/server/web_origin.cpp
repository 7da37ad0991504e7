#include "server/web_origin.h"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "util/ascii.h"

namespace thumbgen::server {

namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; }
bool is_ipv6_char(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.'; }

bool is_plain_host(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    return std::all_of(host.begin() + 1, host.end() - 1, is_ipv6_char);
  return !host.empty() && std::all_of(host.begin(), host.end(), is_name_char);
}

}  // namespace

std::optional<std::string> web_origin(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return std::nullopt;
  const std::string scheme = util::to_lower_ascii(parsed->scheme());
  if (scheme != "http" && scheme != "https") return std::nullopt;
  if (parsed->has_userinfo()) return std::nullopt;  // never repeated into a header
  const std::string host = util::to_lower_ascii(parsed->encoded_host());
  if (!is_plain_host(host)) return std::nullopt;
  std::string origin = scheme + "://" + host;
  if (parsed->has_port()) {
    std::string_view port = parsed->port();
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    origin += ':';
    origin += port;
  }
  return origin;
}

}  // namespace thumbgen::server
