// Web origins ("https://cdn.example:8443") as a Content-Security-Policy names them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thumbgen::server {

// The origin of an http(s) URL: lower-case scheme and host, and the port when the URL names one. nullopt for any
// other scheme, a URL without a host, or a host that is not a plain DNS name or IP literal (nothing that could
// break out of a header value: no blanks, quotes, ';' or ',').
std::optional<std::string> web_origin(std::string_view url);

}  // namespace thumbgen::server
