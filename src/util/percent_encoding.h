// Percent-encoding (RFC 3986) on Boost.URL: the server's router and query strings, the URLs the server and the
// worker build, and the URIs inside glTF files all decode and encode with these two functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thumbgen::util {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, the query-string rule). nullopt when an escape is
// malformed or decodes to a NUL byte, which no name or parameter may hold.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// Escapes every byte except the unreserved characters (A-Z a-z 0-9 - . _ ~), and '/' when `keep_slash` (a path
// rather than one segment), as upper-case %XX.
std::string percent_encode(std::string_view text, bool keep_slash);

}  // namespace thumbgen::util
