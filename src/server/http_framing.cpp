#include "server/http_framing.h"

#include <iterator>

#include "util/ascii.h"

namespace thumbgen::server {

std::optional<std::string_view> framing_problem(const HttpRequest& header) {
  auto [first, last] = header.equal_range(http::field::transfer_encoding);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) return "Only one Transfer-Encoding field is accepted";
  std::string_view value(first->value().data(), first->value().size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (!util::iequals_ascii(value, "chunked")) return "Transfer-Encoding must be exactly chunked";
  if (header.version() < 11) return "Transfer-Encoding needs HTTP/1.1";
  if (header.count(http::field::content_length) != 0) return "Content-Length and Transfer-Encoding together";
  return std::nullopt;
}

}  // namespace thumbgen::server
