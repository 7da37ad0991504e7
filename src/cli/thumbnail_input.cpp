#include "cli/thumbnail_input.h"

#include <boost/url/parse.hpp>
#include <stdexcept>
#include <string>

#include "util/ascii.h"

namespace thumbgen::cli {
namespace {

// "scheme://..." is a URI; anything else is a path, since a file name may hold a ':' ("a:b.glb", "/x/y://z.glb").
// The text before the first ':' must be a scheme as RFC 3986 (Boost.URL's grammar) has it.
bool looks_like_uri(std::string_view text) {
  const std::size_t colon = text.find(':');
  return colon != std::string_view::npos && text.substr(colon + 1, 2) == "//" &&
         boost::urls::parse_uri(text.substr(0, colon + 1)).has_value();
}

}  // namespace

std::filesystem::path local_path_from_argument(std::string_view argument) {
  if (argument.empty()) throw std::invalid_argument("INPUT is empty");
  if (!looks_like_uri(argument)) return std::filesystem::path(argument);
  const std::string shown(argument);
  auto uri = boost::urls::parse_uri(argument);
  if (!uri) {  // Boost's own reason ("leftover", "invalid") tells people little
    throw std::invalid_argument("'" + shown + "' is not a valid URI (a space, or a '%' not followed by two hex " +
                                "digits, must be written %20 or %25)");
  }
  if (uri->scheme_id() != boost::urls::scheme::file) {
    throw std::invalid_argument("'" + shown + "' is not a local file: thumbnails are made of local files only");
  }
  // The whole authority, so that "localhost:80" or "user@localhost" is another host too.
  const std::string authority = util::to_lower_ascii(uri->encoded_authority());
  if (!authority.empty() && authority != "localhost") {
    throw std::invalid_argument("'" + shown + "' names another host: thumbnails are made of local files only");
  }
  std::string path = uri->path();  // percent-decoded; the query and fragment are not part of a file's path
  if (path.empty()) throw std::invalid_argument("'" + shown + "' has no path");
  if (path.find('\0') != std::string::npos) throw std::invalid_argument("'" + shown + "' holds an escaped NUL byte");
  return std::filesystem::path(path);
}

}  // namespace thumbgen::cli
