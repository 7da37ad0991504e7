#include "worker/brush_texture_cache.h"

#include <unistd.h>

#include <stdexcept>
#include <system_error>

#include "scene/brush_texture_names.h"
#include "util/percent_encoding.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

// Counting what is there already: a cache folder holds a few hundred files.
constexpr std::size_t kMaxCountedEntries = 100'000;
constexpr const char* kIncoming = ".incoming";

std::uint64_t bytes_under(const fs::path& folder) {
  std::uint64_t total = 0;
  std::size_t seen = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end && ++seen <= kMaxCountedEntries;
       it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec)) total += it->file_size(file_ec);
  }
  return total;
}

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }

}  // namespace

HttpUrl brush_texture_prefix(const std::string& prefix, const FetchPolicy& policy) {
  std::string why;
  std::optional<HttpUrl> url = parse_http_url(prefix, &why);
  if (!url) throw std::invalid_argument("--brush-textures: expected a folder or an http(s) URL prefix: " + why);
  if (prefix.find_first_of("?#") != std::string::npos)
    throw std::invalid_argument("--brush-textures: a URL prefix has no query or fragment: " + prefix);
  if (auto refused = policy.check_url(*url))
    throw std::invalid_argument("--brush-textures " + prefix + ": " + *refused);
  if (!url->path.ends_with('/')) url = parse_http_url(url->url + "/");  // a folder: "…/brushes" is "…/brushes/"
  return *url;
}

BrushTextureCache::BrushTextureCache(const std::string& prefix, fs::path folder, const FetchPolicy& policy,
                                     BrushTextureLimits limits)
    : prefix_(brush_texture_prefix(prefix, policy)),
      folder_(std::move(folder)),
      limits_(limits),
      downloader_(policy, HttpLimits{10'000, 120'000, 0}) {
  std::error_code ec;
  fs::create_directories(folder_ / kIncoming, ec);
  if (ec) throw std::runtime_error("brush texture cache " + folder_.string() + ": " + ec.message());
  used_bytes_ = bytes_under(folder_);
}

std::vector<std::string> BrushTextureCache::fetch(const std::vector<std::string>& urls) {
  std::vector<std::string> warnings;
  std::set<std::string> asked;
  std::size_t requests = 0;
  for (const std::string& url : urls) {
    const std::optional<std::string> path = scene::brush_texture_path(url);
    if (!path || path->find('/') == std::string::npos || !asked.insert(*path).second) continue;
    std::error_code ec;
    if (fs::is_regular_file(folder_ / *path, ec)) continue;  // cached: no request
    if (failed_.count(*path)) continue;                      // failed before in this run: warned then
    if (++requests > kMaxFetchesPerCall) {
      warnings.push_back("more than " + std::to_string(kMaxFetchesPerCall) +
                         " brush textures are missing from the cache; the rest are not fetched");
      break;
    }
    if (std::string warning = fetch_one(*path); !warning.empty()) {
      failed_.insert(*path);
      warnings.push_back("brush texture " + *path + ": " + warning);
    }
  }
  return warnings;
}

std::string BrushTextureCache::fetch_one(const std::string& path) {
  const std::string url = prefix_.url + util::percent_encode(path, true);
  if (used_bytes_ >= limits_.max_total_bytes) return "the brush texture cache is full (" + mib(used_bytes_) + ")";
  const std::uint64_t cap = std::min(limits_.max_file_bytes, limits_.max_total_bytes - used_bytes_);
  const fs::path temp =
      folder_ / kIncoming / (std::to_string(::getpid()) + "-" + std::to_string(next_temp_++) + ".download");
  std::error_code ec;
  try {
    const HttpResponse response = downloader_.download(url, temp, cap);
    if (response.status != 200) {
      fs::remove(temp, ec);
      return "HTTP " + std::to_string(response.status) + " from " + url;
    }
  } catch (const TooLargeError&) {
    fs::remove(temp, ec);
    if (cap < limits_.max_file_bytes) return "does not fit in the brush texture cache (" + mib(used_bytes_) + " used)";
    return "larger than " + mib(limits_.max_file_bytes) + " at " + url;
  } catch (const std::exception& error) {  // refused, no answer, cannot write
    fs::remove(temp, ec);
    return error.what();
  }
  const fs::path target = folder_ / path;
  fs::create_directories(target.parent_path(), ec);
  const std::uint64_t size = fs::file_size(temp, ec);
  if (!ec) fs::rename(temp, target, ec);  // atomic: other processes see the whole file or none
  if (ec) {
    fs::remove(temp, ec);
    return "cannot store it in " + folder_.string();
  }
  used_bytes_ += size;
  return {};
}

}  // namespace thumbgen::worker
