#include "worker/http_url.h"

#include <curl/curl.h>

#include <memory>

#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace thumbgen::worker {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::optional<std::string> part(CURLU* url, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, which, &text, flags) != CURLUE_OK || !text) return std::nullopt;
  std::string value(text);
  curl_free(text);
  return value;
}

std::optional<HttpUrl> fail(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}

// The parts of a URL held by `handle`, checked: http(s), a host, no credentials.
std::optional<HttpUrl> read_parts(CURLU* handle, std::string_view text, std::string* why) {
  const std::string shown(text.substr(0, 200));
  HttpUrl result;
  result.scheme = util::to_lower_ascii(part(handle, CURLUPART_SCHEME).value_or(""));
  if (result.scheme != "http" && result.scheme != "https") return fail(why, "not an http(s) URL: " + shown);
  if (part(handle, CURLUPART_USER) || part(handle, CURLUPART_PASSWORD)) {
    return fail(why, "a URL with a user name or password is not fetched: " + shown);
  }
  result.host = util::to_lower_ascii(part(handle, CURLUPART_HOST).value_or(""));
  if (result.host.ends_with('.')) result.host.pop_back();  // "example.com." is example.com
  if (result.host.empty()) return fail(why, "a URL without a host: " + shown);
  for (unsigned char c : result.host) {
    if (c >= 0x80) return fail(why, "a host name that is not ASCII (write it in punycode): " + shown);
  }
  result.port = part(handle, CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("");
  result.port_given = part(handle, CURLUPART_PORT).has_value();
  result.path = part(handle, CURLUPART_PATH).value_or("/");
  result.url = part(handle, CURLUPART_URL).value_or(std::string(text));
  return result;
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string* why) {
  UrlHandle handle(curl_url());
  if (!handle) return fail(why, "out of memory");
  const std::string copy(text);
  // No guessed scheme: "example.com/x" is not a URL here.
  if (curl_url_set(handle.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return fail(why, "not a valid URL: " + copy.substr(0, 200));
  }
  return read_parts(handle.get(), text, why);
}

std::optional<HttpUrl> resolve_http_url(const HttpUrl& base, std::string_view reference, std::string* why) {
  UrlHandle handle(curl_url());
  if (!handle) return fail(why, "out of memory");
  const std::string copy(reference);
  // Setting a URL on a handle that holds one resolves it against that one (a redirect's rule).
  if (curl_url_set(handle.get(), CURLUPART_URL, base.url.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return fail(why, "not a valid URL: " + copy.substr(0, 200));
  }
  return read_parts(handle.get(), reference, why);
}

std::optional<std::string> path_below_folder_of(const HttpUrl& base, const HttpUrl& url) {
  if (url.scheme != base.scheme || url.host != base.host || url.port != base.port) return std::nullopt;
  const std::string folder = base.path.substr(0, base.path.rfind('/') + 1);
  if (!url.path.starts_with(folder) || url.path.size() == folder.size()) return std::nullopt;
  return util::percent_decode(std::string_view(url.path).substr(folder.size()));
}

std::string last_path_segment(const HttpUrl& url) {
  return util::percent_decode(std::string_view(url.path).substr(url.path.rfind('/') + 1)).value_or("");
}

}  // namespace thumbgen::worker
