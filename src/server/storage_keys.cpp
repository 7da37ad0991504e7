#include <algorithm>
#include <stdexcept>

#include "server/storage.h"

namespace thumbgen::server {

bool is_valid_storage_key(std::string_view key) {
  if (key.empty() || key.size() > 512 || key.front() == '/' || key.back() == '/') return false;
  const bool allowed_characters = std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == '/';
  });
  if (!allowed_characters) return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    const std::string_view segment = key.substr(start, end - start);
    // Empty, "." and ".." segments could alias or escape; a leading '.' would also hide temp files and dotfiles.
    if (segment.empty() || segment.front() == '.') return false;
    start = end + 1;
  }
  return true;
}

std::string served_media_url(std::string_view base_url, std::string_view key) {
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  return std::string(base_url) + "/media/" + std::string(key);
}

std::string thumbnail_key(std::int64_t asset_id, std::string_view sha256_hex, std::string_view extension) {
  const bool hex = sha256_hex.size() == 64 && std::all_of(sha256_hex.begin(), sha256_hex.end(), [](char c) {
                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                   });
  if (!hex) throw std::invalid_argument("thumbnail_key needs a lowercase sha256 hex digest");
  const bool plain_extension =
      !extension.empty() && extension.size() <= 8 &&
      std::all_of(extension.begin(), extension.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (!plain_extension) throw std::invalid_argument("thumbnail_key needs a lowercase extension");
  return "thumbs/" + std::to_string(asset_id) + "/" + std::string(sha256_hex) + "." + std::string(extension);
}

bool is_own_thumbnail_key(std::int64_t asset_id, std::string_view key) {
  const std::string prefix = "thumbs/" + std::to_string(asset_id) + "/";  // the '/' keeps 1 from owning 12's keys
  return is_valid_storage_key(key) && key.size() > prefix.size() && key.starts_with(prefix);
}

}  // namespace thumbgen::server
