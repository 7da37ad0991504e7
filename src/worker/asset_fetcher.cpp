#include "worker/asset_fetcher.h"

#include <algorithm>
#include <array>
#include <deque>
#include <fstream>
#include <sstream>

#include "scene/gallery_formats.h"
#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

// Sized by the file, not by the cap: zero-filling a 64 MiB buffer per OBJ/MTL cost ~40 ms an asset.
std::string read_text(const fs::path& file, std::size_t max_bytes) {
  std::error_code error;
  std::uintmax_t size = fs::file_size(file, error);
  if (error) return {};
  std::ifstream in(file, std::ios::binary);
  std::string text(static_cast<std::size_t>(std::min<std::uintmax_t>(size, max_bytes)), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return text;
}

// FNV-1a: a stable name for a URL's cache folder (not security relevant: the folder name is hex).
std::string hash_hex(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

bool is_absolute_reference(const std::string& reference) {
  std::size_t colon = reference.find(':');
  std::size_t slash = reference.find('/');
  return (colon != std::string::npos && (slash == std::string::npos || colon < slash)) || reference.starts_with("/") ||
         reference.starts_with("\\");
}

// Text after `keyword` on a line, trimmed (the rest of the line: file names may contain spaces).
std::string line_argument(const std::string& line, std::size_t start) {
  std::string value = line.substr(start);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  return value;
}

std::optional<fs::path> checked_relative(const std::string& path_text) {
  if (path_text.empty() || path_text.find('\0') != std::string::npos) return std::nullopt;
  std::string text = path_text;
  std::replace(text.begin(), text.end(), '\\', '/');
  if (text.front() == '/') return std::nullopt;
  fs::path result;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::nullopt;
    if (part.find(':') != std::string::npos) return std::nullopt;  // "C:" and friends
    result /= part;
  }
  if (result.empty()) return std::nullopt;
  return result;
}

}  // namespace

const FormatInfo* choose_format(const std::vector<FormatInfo>& formats) {
  const FormatInfo* best = nullptr;
  for (const FormatInfo& format : formats) {
    if (format.root_url.empty()) continue;
    if (!best) {
      best = &format;
      continue;
    }
    int rank = scene::gallery_format_rank(format.format_type),
        best_rank = scene::gallery_format_rank(best->format_type);
    if (rank < best_rank || (rank == best_rank && format.is_preferred && !best->is_preferred)) best = &format;
  }
  return best;
}

std::vector<std::string> gltf_references(const std::string& gltf_json) {
  std::vector<std::string> references;
  auto document = nlohmann::json::parse(gltf_json, nullptr, false);
  if (!document.is_object()) return references;
  for (const char* key : {"buffers", "images"}) {
    auto list = document.find(key);
    if (list == document.end()) continue;
    // glTF 1.0 keeps these in objects keyed by id, 2.0 in arrays: both iterate the same way.
    if (!list->is_array() && !list->is_object()) continue;
    for (const auto& item : *list) {
      if (!item.is_object()) continue;
      auto uri = item.find("uri");
      if (uri == item.end() || !uri->is_string()) continue;
      std::string text = uri->get<std::string>();
      if (!text.starts_with("data:") && !is_absolute_reference(text)) references.push_back(text);
    }
  }
  return references;
}

std::vector<std::string> obj_material_libraries(const std::string& obj_text) {
  std::vector<std::string> references;
  std::stringstream lines(obj_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, 6, "mtllib") != 0) continue;
    if (start + 6 < line.size() && !std::isspace(static_cast<unsigned char>(line[start + 6]))) continue;
    std::string value = line_argument(line, start + 6);
    if (!value.empty() && !is_absolute_reference(value)) references.push_back(value);
  }
  return references;
}

std::vector<std::string> mtl_texture_maps(const std::string& mtl_text) {
  std::vector<std::string> references;
  std::stringstream lines(mtl_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    std::size_t end = line.find_first_of(" \t", start);
    std::string keyword =
        util::to_lower_ascii(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!keyword.starts_with("map_") && keyword != "bump" && keyword != "disp" && keyword != "decal" &&
        keyword != "norm" && keyword != "refl") {
      continue;
    }
    if (end == std::string::npos) continue;
    // Options ("-bm 0.5", "-s 1 1 1") come first: the file name is the last word.
    std::string value = line_argument(line, end);
    std::size_t last_space = value.find_last_of(" \t");
    if (last_space != std::string::npos) value = value.substr(last_space + 1);
    if (!value.empty() && value.front() != '-' && !is_absolute_reference(value)) references.push_back(value);
  }
  return references;
}

std::optional<fs::path> safe_relative_path(const std::string& reference) {
  const std::optional<std::string> decoded =
      util::percent_decode(std::string_view(reference).substr(0, reference.find_first_of("?#")));
  if (!decoded) return std::nullopt;
  return checked_relative(*decoded);
}

std::string encode_reference(const std::string& reference) { return util::percent_encode(reference, true); }

AssetFetcher::AssetFetcher(fs::path cache_dir, std::set<std::string> allowed_hosts, FetchLimits limits)
    : cache_dir_(std::move(cache_dir)),
      allowed_(std::move(allowed_hosts)),
      limits_(limits),
      http_(HttpLimits{10'000, 300'000, limits.max_file_bytes}) {}

FetchedAsset AssetFetcher::fetch(const AssetInfo& asset) {
  const FormatInfo* format = choose_format(asset.formats);
  if (!format) throw FetchError("the server lists no downloadable format", false);
  const std::string& root = format->root_url;
  std::string authority = url_authority(root);
  if (authority.empty()) throw FetchError("root_url is not an http(s) URL: " + root.substr(0, 200), false);
  if (!allowed_.count(authority)) {
    throw FetchError("refusing to download from " + authority + ": not a host the server named", false);
  }
  std::string root_path = root.substr(0, root.find_first_of("?#"));
  std::size_t slash = root_path.rfind('/');
  std::string base_url = root_path.substr(0, slash + 1);
  auto main_name = safe_relative_path(root_path.substr(slash + 1));
  fs::path main_relative = main_name && !main_name->has_parent_path() ? *main_name : fs::path("model");

  fs::path folder = cache_dir_ / "assets" / hash_hex(root);
  fs::path marker = folder / ".complete.json";
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) throw FetchError("cannot create cache folder " + folder.string() + ": " + error.message(), false);

  FetchedAsset result{folder / main_relative, format->format_type, 0, false};
  std::map<std::string, std::string> conditional;
  if (fs::exists(marker)) {
    auto saved = nlohmann::json::parse(read_text(marker, 1 << 16), nullptr, false);
    std::string etag = saved.is_object() ? saved.value("etag", "") : "";
    if (etag.empty() && fs::exists(result.main_file)) {
      result.from_cache = true;  // keyed by URL alone when the server gives no ETag
      return result;
    }
    conditional["If-None-Match"] = etag;
  }

  auto download = [&](const std::string& url, const fs::path& file,
                      const std::map<std::string, std::string>& headers) -> HttpResponse {
    try {
      fs::create_directories(file.parent_path());
      return http_.download(url, file, limits_.max_file_bytes, headers);
    } catch (const NetworkError& failure) {
      throw FetchError(failure.what(), true);
    } catch (const TooLargeError& failure) {
      throw FetchError(failure.what(), false);
    } catch (const std::exception& failure) {
      throw FetchError(failure.what(), false);
    }
  };

  HttpResponse main = download(root, result.main_file, conditional);
  if (main.status == 304 && fs::exists(result.main_file)) {
    result.from_cache = true;
    return result;
  }
  if (main.status != 200) {
    throw FetchError("download of " + root.substr(0, 200) + ": HTTP " + std::to_string(main.status),
                     main.status >= 500 || main.status == 429);
  }
  fs::remove(marker, error);
  result.bytes = fs::file_size(result.main_file, error);

  // Side files, breadth first: the main file's references, then an .mtl's textures.
  struct Pending {
    fs::path relative;
    std::string kind;  // "gltf", "obj", "mtl", ""
  };
  auto kind_of = [](const fs::path& file) {
    std::string extension = util::to_lower_ascii(file.extension().string());
    return extension == ".gltf" ? std::string("gltf") : extension == ".obj" ? "obj" : extension == ".mtl" ? "mtl" : "";
  };
  std::deque<Pending> queue{{main_relative, kind_of(main_relative)}};
  std::set<fs::path> seen{main_relative};
  std::size_t side_files = 0;
  while (!queue.empty()) {
    Pending current = queue.front();
    queue.pop_front();
    if (current.kind.empty()) continue;
    std::string text = read_text(folder / current.relative, 64u << 20);
    std::vector<std::string> references = current.kind == "gltf"  ? gltf_references(text)
                                          : current.kind == "obj" ? obj_material_libraries(text)
                                                                  : mtl_texture_maps(text);
    for (const std::string& reference : references) {
      // glTF URIs are percent-encoded; OBJ/MTL names are plain file names.
      std::optional<fs::path> relative =
          current.kind == "gltf" ? safe_relative_path(reference) : checked_relative(reference);
      if (!relative) continue;  // leaves the folder: never fetched (the loader reports it missing)
      fs::path joined = (current.relative.parent_path() / *relative).lexically_normal();
      if (joined.empty() || *joined.begin() == "..") continue;
      if (!seen.insert(joined).second) continue;
      if (++side_files > limits_.max_side_files) {
        throw FetchError("more than " + std::to_string(limits_.max_side_files) + " side files", false);
      }
      HttpResponse side = download(base_url + encode_reference(joined.generic_string()), folder / joined, {});
      if (side.status >= 500 || side.status == 429) {
        throw FetchError("download of " + joined.generic_string() + ": HTTP " + std::to_string(side.status), true);
      }
      if (side.status != 200) continue;  // a missing texture is the loader's call (warning or failure)
      result.bytes += fs::file_size(folder / joined, error);
      if (result.bytes > limits_.max_asset_bytes) {
        throw FetchError("asset larger than " + std::to_string(limits_.max_asset_bytes >> 20) + " MiB", false);
      }
      queue.push_back({joined, kind_of(joined)});
    }
  }
  std::ofstream(marker) << nlohmann::json{{"etag", main.header("etag")}, {"root_url", root}}.dump();
  return result;
}

}  // namespace thumbgen::worker
