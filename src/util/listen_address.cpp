#include "util/listen_address.h"

#include <charconv>
#include <stdexcept>

namespace thumbgen::util {

std::pair<std::string, unsigned short> split_listen_address(const std::string& listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("listen address needs a port: " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    throw std::invalid_argument("bad port in listen address: " + listen);
  }
  return {host, static_cast<unsigned short>(port)};
}

}  // namespace thumbgen::util
