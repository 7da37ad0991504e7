// Which Host names the server answers to: Django's ALLOWED_HOSTS rule (issue 10, item 6). A browser sends the name
// it looked up, so a DNS name an attacker points at the server (DNS rebinding) arrives with the attacker's name and
// is refused: a page of theirs cannot reach /files/ or the login through the victim's browser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::server {

class HostAllowlist {
 public:
  // Patterns as in Django, any case: "name" (that name or IP literal, "[::1]" for IPv6, on any port), ".name" (it
  // and every subdomain), "*" (any host: unsafe, see README). Loopback names are always answered: localhost and
  // *.localhost, 127.0.0.1 and [::1].
  explicit HostAllowlist(const std::vector<std::string>& patterns = {});

  // `host` is a Host field: a name or IP literal and an optional ":port". One that is malformed (user info,
  // spaces, a bad port, an empty name) is never answered, not even by "*".
  bool allows(std::string_view host) const;
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;  // lower case, loopback names first
};

// The names a server answers to: its listen address unless that is a wildcard (0.0.0.0, ::), the host of the
// public URL when one is configured, and `configured` (THUMBGEN_ALLOWED_HOSTS).
HostAllowlist make_host_allowlist(std::string_view listen_host, std::string_view public_url,
                                  const std::vector<std::string>& configured);

}  // namespace thumbgen::server
