// "host:port" (or "[v6]:port") as the listeners take it: `serve --listen`, THUMBGEN_METRICS_LISTEN and
// `work --metrics-listen`.
#pragma once

#include <string>
#include <utility>

namespace thumbgen::util {

// An empty host is 0.0.0.0; port 0 means any free one. Throws std::invalid_argument naming the address.
std::pair<std::string, unsigned short> split_listen_address(const std::string& listen);

}  // namespace thumbgen::util
