#include "worker/fetch_policy.h"

#include <sstream>
#include <stdexcept>

namespace thumbgen::worker {
namespace {

std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

FetchPolicy::Allowed FetchPolicy::parse_entry(const std::string& entry) {
  // "HOST[:PORT]" is read as the authority of an http URL, by libcurl like every other URL here.
  auto url = parse_http_url(entry.find("://") != std::string::npos ? entry : "http://" + entry);
  if (!url || url->path != "/" || entry.find_first_of("?#") != std::string::npos) {
    throw std::invalid_argument("--allow-host: expected HOST or HOST:PORT, got '" + entry + "'");
  }
  // Without a port, every port of the host ("h" and "http://h" alike).
  return Allowed{url->host, url->port_given ? url->port : std::string(), canonical_ip(url->host)};
}

FetchPolicy::FetchPolicy(const std::string& server_url, const std::vector<std::string>& allowed_hosts) {
  if (!server_url.empty()) {
    std::string why;
    server_ = parse_http_url(server_url, &why);
    if (!server_) throw std::invalid_argument("--server: " + why);
  }
  for (const std::string& entry : allowed_hosts) allowed_.push_back(parse_entry(entry));
}

std::optional<std::string> FetchPolicy::check_url(const HttpUrl& url) const {
  if (server_ && url.host == server_->host && url.port == server_->port) return std::nullopt;
  for (const Allowed& allowed : allowed_) {
    if (url.host == allowed.host && (allowed.port.empty() || allowed.port == url.port)) return std::nullopt;
  }
  const std::string not_allowed =
      server_ ? "not the server's host (" + server_->authority() + ")" : "not an allowed host";
  return "refusing to download from " + url.authority() + ": " + not_allowed + "; allow it with --allow-host " +
         url.authority() + " or THUMBGEN_ALLOW_HOSTS";
}

std::optional<std::string> FetchPolicy::check_address(const SocketAddress& address) const {
  if (address.kind == AddressKind::Public) return std::nullopt;
  for (const Allowed& allowed : allowed_) {
    if (allowed.ip == address.ip && (allowed.port.empty() || allowed.port == std::to_string(address.port))) {
      return std::nullopt;
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (server_addresses_.count(address.text())) return std::nullopt;
  }
  return std::string("refused to connect to ") + address.text() + ": a " + address_kind_name(address.kind) +
         " address, not the server's (allow that address itself with --allow-host " + address.text() + ")";
}

void FetchPolicy::note_server_address(const SocketAddress& address) {
  std::lock_guard lock(mutex_);
  server_addresses_.insert(address.text());
}

std::vector<std::string> allowed_hosts_from(const std::vector<std::string>& options, const char* environment) {
  std::vector<std::string> hosts;
  for (const std::string& option : options) {
    if (std::string host = trimmed(option); !host.empty()) hosts.push_back(host);
  }
  if (environment) {
    std::stringstream list(environment);
    for (std::string entry; std::getline(list, entry, ',');) {
      if (std::string host = trimmed(entry); !host.empty()) hosts.push_back(host);
    }
  }
  return hosts;
}

}  // namespace thumbgen::worker
