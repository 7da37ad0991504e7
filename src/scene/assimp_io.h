// assimp's view of the model folder: an Assimp::IOSystem that reads only through FileAccess, so an OBJ's mtllib,
// a glTF 1.0 buffer or any other side file assimp asks for can never escape the model's folder.
#pragma once

#include <assimp/IOStream.hpp>
#include <assimp/IOSystem.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "scene/file_access.h"

namespace thumbgen::scene {

// Reads a side file named by a model (relative, or an author's absolute path such as C:\Users\x\tex.png).
// Tries the name as given, then its base name (FileAccess implementations without a by-name fallback still
// find textures copied next to the model). Throws LoadError when neither can be read.
std::vector<std::uint8_t> read_side_file(FileAccess& files, std::string_view name, std::uint64_t max_bytes);

class AssimpFileSystem final : public Assimp::IOSystem {
 public:
  // `main_name` is served from `main_bytes` (which must outlive the import); everything else via `files`.
  AssimpFileSystem(std::string main_name, std::span<const std::uint8_t> main_bytes, FileAccess& files,
                   std::uint64_t max_file_bytes);

  bool Exists(const char* path) const override;
  char getOsSeparator() const override { return '/'; }
  Assimp::IOStream* Open(const char* path, const char* mode) override;
  void Close(Assimp::IOStream* stream) override;

  // Side files assimp asked for that could not be read (reported as warnings).
  const std::vector<std::string>& missing() const { return missing_; }

 private:
  std::string main_name_;
  std::span<const std::uint8_t> main_bytes_;
  FileAccess* files_;
  std::uint64_t max_file_bytes_;
  std::vector<std::string> missing_;
};

}  // namespace thumbgen::scene
