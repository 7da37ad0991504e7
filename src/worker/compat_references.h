// Compatibility mode (a server with the spec's listing only, no file list): the worker fetches the main file, and
// the files the model references are found by scene::find_model_references inside a render process (memory-
// limited, crash-isolated) — never by parsing the model in the worker's parent. The render process writes the
// relative paths of the references that are missing from the model's folder (and the brush texture URLs it names)
// to a small JSON file; the parent
// reads those paths (nothing else), checks each, and fetches them from the main file's URL folder under the same
// FetchPolicy. An OBJ takes two rounds (its MTL files, then their textures).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "platform/pipeline.h"
#include "runner/render_process_pool.h"

namespace thumbgen::worker {

// A work item whose output ends so asks the render process for the model's missing references, not a thumbnail.
inline constexpr const char* kReferencesSuffix = ".references.json";

// The render processes' job for `thumbgen work`: thumbnails (runner::thumbnail_job_setup), and reference discovery
// for items whose output ends with kReferencesSuffix.
runner::RenderProcessSetup worker_job_setup(const platform::JobOptions& job_options);

// What a discovery item found: the relative paths of the references missing from the model's folder, and the brush
// texture URLs the model names (Tilt Brush / Open Brush exports: brush_texture_cache.h fetches them, mapped onto the
// operator's prefix, never the URLs themselves).
struct DiscoveredReferences {
  std::vector<std::string> missing;
  std::vector<std::string> brush_textures;
};

// Parent side: what a discovery item wrote to `output` (at most 1 MiB read; anything malformed gives empty lists
// and `error`). The render process's word only: check each path and URL before use.
DiscoveredReferences read_discovered_references(const std::filesystem::path& output, std::string& error);

}  // namespace thumbgen::worker
