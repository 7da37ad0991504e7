// Downloads an asset's preferred format and the side files it references (glTF buffers/images, OBJ mtllib and
// the .mtl's map_* textures) into a local cache folder, so the render pipeline reads them like local files.
// Only http(s) from hosts the server named; side files only from the main file's folder (never "..", never
// another host); every local path stays inside the cache folder; sizes and counts are capped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "worker/api_client.h"
#include "worker/http_client.h"

namespace thumbgen::worker {

struct FetchLimits {
  std::uint64_t max_file_bytes = 512ull << 20;
  std::uint64_t max_asset_bytes = 1ull << 30;  // main file + side files
  std::size_t max_side_files = 512;
};

struct FetchedAsset {
  std::filesystem::path main_file;
  std::string format_type;
  std::uint64_t bytes = 0;
  bool from_cache = false;
};

// Why an asset could not be fetched; `transient` when trying again later may work (network, 5xx).
class FetchError : public std::runtime_error {
 public:
  FetchError(const std::string& reason, bool transient) : std::runtime_error(reason), transient(transient) {}
  bool transient;
};

// The format to render: IMM > GLB > GLTF2 > GLTF1 > OBJ > FBX > splats > STL > USDZ > VOX, unknown types last
// (the server's is_preferred breaks ties). nullptr when there is none.
const FormatInfo* choose_format(const std::vector<FormatInfo>& formats);

// Relative side-file references of a model file's text (no data: URIs, no absolute URLs).
std::vector<std::string> gltf_references(const std::string& gltf_json);
std::vector<std::string> obj_material_libraries(const std::string& obj_text);
std::vector<std::string> mtl_texture_maps(const std::string& mtl_text);

// A reference relative to the main file's folder as a safe relative path: percent-decoded, '\' as '/', no "..",
// no absolute path, no empty or "." segments, no NUL. nullopt when it would leave the folder.
std::optional<std::filesystem::path> safe_relative_path(const std::string& reference);
// `reference` percent-encoded for a URL path (keeps '/' and anything already %XX-encoded).
std::string encode_reference(const std::string& reference);

class AssetFetcher {
 public:
  // `allowed_hosts`: "host:port" authorities (see url_authority) files may come from.
  AssetFetcher(std::filesystem::path cache_dir, std::set<std::string> allowed_hosts, FetchLimits limits = {});
  void allow_host(const std::string& authority) { allowed_.insert(authority); }

  // Fetches into cache_dir/assets/<hash of root url>/; reuses a complete earlier fetch when its ETag still
  // matches (or when the server sent no ETag). Throws FetchError.
  FetchedAsset fetch(const AssetInfo& asset);

 private:
  std::filesystem::path cache_dir_;
  std::set<std::string> allowed_;
  FetchLimits limits_;
  HttpClient http_;
};

}  // namespace thumbgen::worker
