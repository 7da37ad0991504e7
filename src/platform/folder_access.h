// Native FileAccess: serves the files of one model folder and nothing outside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scene/file_access.h"

namespace thumbgen::platform {

// Resolves names relative to the model folder with the rules of scene/file_names.h, on the real filesystem: refuses
// URLs, NUL bytes and anything that resolves (after "..", absolute paths and symlinks) outside the folder. When a name
// does not resolve — Windows paths such as C:\Users\x\tex.PNG, paths from the author's machine, wrong letter case —
// falls back to the file with the same name (case-insensitive) under the folder that best matches its path
// (scene::best_by_file_name). Never reads outside the folder.
//
// Optionally http(s) URLs are served from an operator-given brush texture folder (brush_texture_folder.h): Tilt Brush
// and Open Brush exports name their brush textures by URL (https://www.tiltbrush.com/shaders/brushes/…/…-MainTex.png)
// and a render machine has no network; their FBX exports name them "<Brush>.png" next to the model, and when that
// file is missing the brush texture folder stands in too. Other URLs are refused as before.
class BrushTextureFolder;

class FolderAccess final : public scene::FileAccess {
 public:
  static constexpr std::size_t kMaxIndexedEntries = 10'000;

  // `brush_textures` (may be null) serves http(s) URLs; share one across models so its folder is indexed once.
  FolderAccess(std::filesystem::path model_folder, std::uint64_t max_file_bytes,
               std::shared_ptr<BrushTextureFolder> brush_textures = nullptr);
  ~FolderAccess() override;

  std::vector<std::uint8_t> read(std::string_view relative_path) override;
  bool exists(std::string_view relative_path) override;

  // The regular files the name fallback sees (inside the folder, symlinks out of it left out, at most
  // kMaxIndexedEntries looked at), relative to the folder, '/'-separated, sorted: a scene::FileList for reference
  // discovery resolves names as this class does.
  std::vector<std::string> file_names();
  const std::filesystem::path& folder() const { return folder_; }

 private:
  // The canonical path of the file `name` names; throws LoadError (not found / outside the folder).
  std::filesystem::path resolve(std::string_view name);
  // resolve() plus the size limit; `size` receives the file size.
  std::filesystem::path resolve_readable(std::string_view name, std::uintmax_t& size);
  std::optional<std::filesystem::path> find_by_file_name(const std::string& slashed_name);
  bool inside_folder(const std::filesystem::path& canonical) const;
  bool serves_url(std::string_view name) const;  // a web URL, and a brush texture folder to serve it
  // A "<Brush>.png" missing from the model folder: the brush texture folder's file for it (Tilt Brush FBX exports).
  std::optional<std::string> brush_texture_stand_in(std::string_view name);
  void build_index();

  std::filesystem::path folder_;  // canonical
  std::uint64_t max_file_bytes_;
  std::shared_ptr<BrushTextureFolder> brush_textures_;  // null: URLs are refused
  bool indexed_ = false;
  // Lower-case file name → the regular files inside the folder with that name: their paths as listed (compared by
  // the name fallback) and canonical (read).
  struct SameName {
    std::vector<std::string> listed;
    std::vector<std::filesystem::path> canonical;
  };
  std::map<std::string, SameName> index_;
};

}  // namespace thumbgen::platform
