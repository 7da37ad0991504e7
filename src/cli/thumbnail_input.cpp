#include "cli/thumbnail_input.h"

#include <stdexcept>
#include <string>

#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace thumbgen::cli {
namespace {

// The URI scheme ("file", "http") when `text` starts with "scheme://" (RFC 3986: a letter, then letters, digits,
// '+', '-', '.'); empty otherwise, since a file name may hold a ':' too ("a:b.glb").
std::string_view uri_scheme(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = text[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) return {};
  }
  if (text.substr(colon + 1, 2) != "//") return {};
  return text.substr(0, colon);
}

}  // namespace

std::filesystem::path local_path_from_argument(std::string_view argument) {
  if (argument.empty()) throw std::invalid_argument("INPUT is empty");
  const std::string_view scheme = uri_scheme(argument);
  if (scheme.empty()) return std::filesystem::path(argument);
  const std::string shown(argument);
  if (util::to_lower_ascii(scheme) != "file") {
    throw std::invalid_argument("'" + shown + "' is not a local file: thumbnails are made of local files only");
  }
  std::string_view rest = argument.substr(scheme.size() + 3);  // after "file://"
  const std::size_t path_start = rest.find('/');
  const std::string_view host = rest.substr(0, path_start);
  if (!host.empty() && util::to_lower_ascii(host) != "localhost") {
    throw std::invalid_argument("'" + shown + "' names another host: thumbnails are made of local files only");
  }
  if (path_start == std::string_view::npos) throw std::invalid_argument("'" + shown + "' has no path");
  std::string_view encoded = rest.substr(path_start);
  encoded = encoded.substr(0, encoded.find_first_of("?#"));  // not part of a file's path
  auto path = util::percent_decode(encoded);
  if (!path) throw std::invalid_argument("'" + shown + "' has a malformed %-escape");
  return std::filesystem::path(*path);
}

}  // namespace thumbgen::cli
