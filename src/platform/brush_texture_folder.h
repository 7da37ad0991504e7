// An operator's folder of Tilt Brush / Open Brush brush textures, standing in for the web: exports name their brush
// textures by URL (scene/brush_texture_names.h) and a render process has no network. A URL is served from the
// folder, first found first:
//  1. mirror layout: the URL's brush texture path ("Ink-<guid>/Ink-<guid>-v10.0-MainTex.png"), as a mirror of the
//     Open Brush brush textures and the worker's brush texture cache hold them;
//  2. the URL's file name anywhere in the folder ("Ink-<guid>-v10.0-MainTex.png" in a flat folder);
//  3. by GUID, then by brush name (GUIDs differ between versions), in the mirror layout or in the Tilt Brush Toolkit
//     layout ("<family>/<Brush>/<Brush>.asset" with m_Guid and m_DurableName, next to the brush's PNGs:
//     MainTex or BumpMap by file name, scene::toolkit_texture_kind).
// Every file is read through a FolderAccess on the folder: nothing outside it is read, symlinks out of it included.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scene/brush_texture_names.h"

namespace thumbgen::platform {

class FolderAccess;

class BrushTextureFolder {
 public:
  // Brush descriptors (.asset) larger than this are not brush descriptors.
  static constexpr std::uint64_t kMaxAssetBytes = 256 * 1024;

  BrushTextureFolder(std::filesystem::path folder, std::uint64_t max_file_bytes);
  ~BrushTextureFolder();

  // The name, relative to the folder, of the file serving `url`; nullopt when the folder has none.
  std::optional<std::string> find(std::string_view url);
  // The bytes of that file; throws scene::LoadError (UrlNotServed, too large) when there is none.
  std::vector<std::uint8_t> read(std::string_view url);

  // Tilt Brush FBX / OBJ exports name a brush's main texture "<Brush>.png" next to the model ("Paper.png"): when the
  // model folder lacks it, the folder's MainTex of the brush with that durable name stands in. The name relative to
  // the folder; nullopt when the file name is no brush's.
  std::optional<std::string> find_for_file_name(std::string_view file_name);
  // Reads a name find() or find_for_file_name() gave.
  std::vector<std::uint8_t> read_file(const std::string& name);

 private:
  void build_toolkit_index();

  std::unique_ptr<FolderAccess> files_;
  bool indexed_ = false;
  // (GUID or name key, kind) → file relative to the folder, from the toolkit layout.
  using Key = std::pair<std::string, scene::BrushTextureKind>;
  std::map<Key, std::string> by_guid_, by_name_;
};

}  // namespace thumbgen::platform
