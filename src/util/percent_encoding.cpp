#include "util/percent_encoding.h"

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace thumbgen::util {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  const auto checked = boost::urls::make_pct_string_view(boost::urls::string_view(text.data(), text.size()));
  if (!checked) return std::nullopt;
  boost::urls::encoding_opts options;
  options.space_as_plus = plus_is_space;
  std::string out = checked->decode(options);
  if (out.find('\0') != std::string::npos) return std::nullopt;
  return out;
}

std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr auto kSegment = boost::urls::unreserved_chars;
  static constexpr auto kPath = boost::urls::unreserved_chars + '/';
  const boost::urls::string_view view(text.data(), text.size());
  return keep_slash ? boost::urls::encode(view, kPath) : boost::urls::encode(view, kSegment);
}

}  // namespace thumbgen::util
