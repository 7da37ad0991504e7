// Building a catalogue: from a folder of models (`thumbgen import DIR`) or from Icosa-API-shaped asset records
// (`thumbgen import --json FILE`). Both are idempotent: assets are keyed by a stable url.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "server/catalogue.h"

namespace thumbgen::server {

struct ImportSummary {
  int inserted = 0, updated = 0, unchanged = 0;
  std::vector<std::string> skipped;   // "what: why": not imported
  std::vector<std::string> warnings;  // "what: why": imported, but not all of it
};

struct ImportOptions {
  std::filesystem::path data_folder;  // --data: none of its files is ever published, wherever it lies
  // Reference discovery of each model runs in a child process under these limits (--references-timeout; the
  // address-space limit is the renderer's --max-memory default): a model whose discovery hangs, crashes or runs out
  // of memory is imported with its main file only and a warning naming the reason.
  std::chrono::milliseconds references_timeout{30'000};
  std::uint64_t references_max_memory_bytes = 0;  // 0: no limit
};

// One asset per model file found under `folder` (recursively; hidden entries, symlinks and the data folder are never
// looked at). The format is detected by content. What `/files/` then publishes of an asset is its main file and the
// files it references (buffers, textures, MTL files and their maps, ...), found by reference discovery (src/scene)
// in the model's folder with the renderer's rules: nothing else of the folder. A model referencing more than
// kMaxSideFiles files is skipped with that reason; references that resolve to no file are warnings.
ImportSummary import_folder(Catalogue& catalogue, const std::filesystem::path& folder,
                            const ImportOptions& options = {});

// {"assets":[...]}, a bare array, or one asset object. Lenient about field spellings (assetId/url, name,
// authorName/owner_displayname, formats[].formatType/root.url/root.relativePath/resources, thumbnail). A thumbnail
// is kept when it is an http(s) URL or a stored key under the record's own prefix (thumbs/<its id>/); anything else
// (another asset's key above all) is ignored with a warning.
ImportSummary import_json(Catalogue& catalogue, const nlohmann::json& document);

// The Icosa format type of a model file ("GLB", "GLTF2", ...), or "" when it is not a model thumbgen knows.
std::string detect_format_type(const std::filesystem::path& file);

bool is_viewer_compatible_format(std::string_view format_type);

// The stable url of an imported file: a readable slug of its relative path plus a hash, e.g. "cars-duck-glb-1a2b3c4d".
std::string asset_url_for(std::string_view relative_path);

}  // namespace thumbgen::server
