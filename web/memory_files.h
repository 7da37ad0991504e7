// scene::FileAccess over files handed in from JS (the browser has no model folder on disk).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scene/file_access.h"
#include "scene/file_list.h"

namespace thumbgen::web {

// Files are named by their path among the handed-in files ("model.gltf", "textures/a.png"). The model folder is
// `base_folder` (the main file's folder): names read through FileAccess resolve inside it with the same rules
// (scene/file_names.h) and messages as the native FolderAccess: URLs are refused, nothing outside the folder
// exists, and a name that does not resolve (Windows absolute paths, paths from the author's machine, wrong letter
// case) falls back to the same-named file whose path matches it best.
class MemoryFiles final : public scene::FileAccess {
 public:
  explicit MemoryFiles(std::uint64_t max_file_bytes) : max_file_bytes_(max_file_bytes) {}

  // Throws scene::LoadError for an empty, absolute, escaping or oversized name/file.
  void add(std::string_view path, std::vector<std::uint8_t> bytes);
  void clear();
  void set_base_folder(std::string_view folder);  // "" = the root of the handed-in files

  std::vector<std::uint8_t> read(std::string_view relative_path) override;
  bool exists(std::string_view relative_path) override;

 private:
  // The bytes of the file `relative_path` resolves to; nullptr, with the LoadError message in `error`, when none.
  const std::vector<std::uint8_t>* find(std::string_view relative_path, std::string* error);
  const scene::FileList& model_folder();

  std::uint64_t max_file_bytes_;
  std::string base_folder_;
  std::map<std::string, std::vector<std::uint8_t>> files_;  // normalised handed-in path → bytes
  std::optional<scene::FileList> model_folder_;             // the files under base_folder_, rebuilt after changes
};

}  // namespace thumbgen::web
