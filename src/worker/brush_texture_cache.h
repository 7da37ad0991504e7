// Brush textures from the operator's URL prefix (--brush-textures https://host/prefix/, THUMBGEN_BRUSH_TEXTURES): the
// one place brush textures may come from over the network. Render processes stay offline: this side fetches the
// brush textures a model names (its export URLs, found by a render process: compat_references.h) once into an
// on-disk cache, in the mirror layout (<Name>-<guid>/<Name>-<guid>-v10.0-MainTex.png), and the render processes read
// them from there as from any brush texture folder (platform/brush_texture_folder.h).
//  - The URLs inside a model are never fetched: only their brush texture path (the part after /shaders/brushes/,
//    checked by scene::brush_texture_path: two plain segments, no dot-dot, no odd characters) is, below the prefix.
//  - The prefix's host passes the FetchPolicy at start (the server's own host, --allow-host, THUMBGEN_ALLOW_HOSTS),
//    every connection its address check; redirects only to allowed hosts (FileDownloader).
//  - Each file at most max_file_bytes, the cache folder at most max_total_bytes (a texture that would not fit is
//    not stored); a file is written under a unique temporary name and renamed into place, so processes sharing the
//    cache never see half a texture.
//  - A texture that fails (404, too large, no answer) is a warning for the model, asked for again at most once per
//    run (not per model). Not thread-safe: one per process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "worker/fetch_policy.h"
#include "worker/file_downloader.h"

namespace thumbgen::worker {

struct BrushTextureLimits {
  std::uint64_t max_file_bytes = 16ull << 20;
  std::uint64_t max_total_bytes = 512ull << 20;
};

// The prefix as an http(s) URL ending in '/'; throws std::invalid_argument naming the option when it is not one or
// `policy` refuses its host (the message says how to allow it).
HttpUrl brush_texture_prefix(const std::string& prefix, const FetchPolicy& policy);

class BrushTextureCache {
 public:
  // Creates `folder` when missing; throws std::runtime_error when it cannot, std::invalid_argument as above.
  BrushTextureCache(const std::string& prefix, std::filesystem::path folder, const FetchPolicy& policy,
                    BrushTextureLimits limits = {});

  // Makes sure the brush textures `urls` name (a model's texture URLs; others are ignored) are in the cache:
  // fetches the missing ones. Returns one warning per texture that could not be had.
  std::vector<std::string> fetch(const std::vector<std::string>& urls);

  const std::filesystem::path& folder() const { return folder_; }

  // Requests one fetch() makes at most: a model names up to 10,000 references, and made-up brush texture paths would
  // each cost the operator's mirror a request. Tilt Brush and Open Brush have about 150 brushes, two textures each at
  // most (a batch's prefetch asks for all its models' at once).
  static constexpr std::size_t kMaxFetchesPerCall = 512;

 private:
  std::string fetch_one(const std::string& path);  // "" or a warning

  HttpUrl prefix_;
  std::filesystem::path folder_;
  BrushTextureLimits limits_;
  FileDownloader downloader_;
  std::uint64_t used_bytes_ = 0;  // the cache folder's files, counted at start and added to since
  std::set<std::string> failed_;  // brush texture paths that failed this run
  unsigned next_temp_ = 0;
};

}  // namespace thumbgen::worker
