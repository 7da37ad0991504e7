// scene::FileAccess over files handed in from JS (the browser has no model folder on disk).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scene/file_access.h"

namespace thumbgen::web {

// Files are named by their path inside the model folder ("model.gltf", "textures/a.png"). Names read through
// FileAccess resolve against `base_folder` (the main file's folder). Like the native FolderAccess: URLs are
// refused, nothing outside the folder exists, and a name that does not resolve (Windows absolute paths, paths
// from the author's machine, wrong letter case) falls back to the one file with the same base name.
class MemoryFiles final : public scene::FileAccess {
 public:
  explicit MemoryFiles(std::uint64_t max_file_bytes) : max_file_bytes_(max_file_bytes) {}

  // Throws scene::LoadError for an empty, escaping or oversized name/file.
  void add(std::string_view path, std::vector<std::uint8_t> bytes);
  void clear();
  void set_base_folder(std::string_view folder);  // "" = the root of the handed-in files

  std::vector<std::uint8_t> read(std::string_view relative_path) override;
  bool exists(std::string_view relative_path) override;

  // "a/./b/../c.png" → "a/c.png" (backslashes count as slashes); "" when the path is absolute or leaves the folder.
  static std::string normalize(std::string_view path);

 private:
  const std::vector<std::uint8_t>* find(std::string_view relative_path) const;

  std::uint64_t max_file_bytes_;
  std::string base_folder_;
  std::map<std::string, std::vector<std::uint8_t>> files_;  // normalized path → bytes
};

}  // namespace thumbgen::web
