#include "server/host_allowlist.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <optional>

#include "util/ascii.h"

namespace thumbgen::server {

namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; }
bool is_ipv6_char(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.'; }

// The name part of a lower-cased Host field, without its port or one trailing dot; nullopt unless it matches
// Django's host_validation_re: ([a-z0-9.-]+ | \[[a-f0-9]*:[a-f0-9.:]+\]) (:[0-9]+)?
std::optional<std::string> host_name(const std::string& host) {
  std::size_t name_end = 0;
  if (!host.empty() && host.front() == '[') {
    std::size_t close = host.find(']');
    if (close == std::string::npos || close < 3) return std::nullopt;
    std::string_view inside = std::string_view(host).substr(1, close - 1);
    if (!std::all_of(inside.begin(), inside.end(), is_ipv6_char) || inside.find(':') == std::string_view::npos)
      return std::nullopt;
    name_end = close + 1;
  } else {
    while (name_end < host.size() && is_name_char(host[name_end])) ++name_end;
    if (name_end == 0) return std::nullopt;
  }
  if (name_end < host.size()) {
    std::string_view port = std::string_view(host).substr(name_end);
    if (port.size() < 2 || port.size() > 6 || port.front() != ':' ||
        !std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
  }
  std::string name = host.substr(0, name_end);
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  return name;
}

bool matches(std::string_view name, std::string_view pattern) {
  if (pattern == "*") return true;
  if (pattern.starts_with('.')) return name.ends_with(pattern) || name == pattern.substr(1);
  return name == pattern;
}

}  // namespace

HostAllowlist::HostAllowlist(const std::vector<std::string>& patterns) : patterns_{".localhost", "127.0.0.1", "[::1]"} {
  for (const std::string& pattern : patterns) {
    std::string lower = util::to_lower_ascii(pattern);
    if (!lower.empty() && std::find(patterns_.begin(), patterns_.end(), lower) == patterns_.end())
      patterns_.push_back(std::move(lower));
  }
}

bool HostAllowlist::allows(std::string_view host) const {
  auto name = host_name(util::to_lower_ascii(host));
  if (!name) return false;
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const std::string& pattern) { return matches(*name, pattern); });
}

HostAllowlist make_host_allowlist(std::string_view listen_host, std::string_view public_url,
                                  const std::vector<std::string>& configured) {
  std::vector<std::string> patterns;
  if (listen_host != "0.0.0.0" && listen_host != "::" && !listen_host.empty()) {
    bool ipv6 = listen_host.find(':') != std::string_view::npos;
    patterns.push_back(ipv6 ? "[" + std::string(listen_host) + "]" : std::string(listen_host));
  }
  if (!public_url.empty()) {
    auto url = boost::urls::parse_uri(public_url);
    if (url && url->has_authority() && !url->encoded_host().empty())
      patterns.emplace_back(url->encoded_host().data(), url->encoded_host().size());
  }
  patterns.insert(patterns.end(), configured.begin(), configured.end());
  return HostAllowlist(patterns);
}

}  // namespace thumbgen::server
