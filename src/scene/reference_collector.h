// Internal to reference discovery (model_references.cpp and the per-format scanners): resolves the names a model
// writes the way the loader of that format reads them, and records the outcome once per name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scene/model_references.h"

namespace thumbgen::scene {

// How the loader of a format looks a name up (mirrors the readers, see assimp_io.cpp and assimp_materials.cpp).
enum class Lookup {
  Direct,    // the name as written (the glTF 2.0 loader)
  SideFile,  // assimp's file system: leading "./" dropped, then the file name alone when the name does not resolve
  Texture,   // assimp material textures: trimmed, a "file://" prefix dropped, then as SideFile
};

class ReferenceCollector {
 public:
  static constexpr std::size_t kMaxReferences = 10'000;  // a hostile file cannot make the lists unbounded

  ReferenceCollector(const FileList& folder, const ReadListedFile& read, std::string main_file);

  // What `reference` resolves to, without recording it.
  FileLookup resolve(std::string_view reference, Lookup lookup) const;
  // Resolves `reference` and records it (once per distinct reference); returns the listed file when it resolves.
  std::optional<std::string> add(std::string_view reference, std::string_view role, Lookup lookup);
  // A listed file's bytes (throws LoadError).
  std::vector<std::uint8_t> read(const std::string& listed_file) const { return read_(listed_file); }
  void warn(std::string warning);

  ModelReferences take() { return std::move(result_); }

 private:
  const FileList& folder_;
  const ReadListedFile& read_;
  std::string main_file_;
  std::map<std::string, std::optional<std::string>, std::less<>> seen_;  // reference → listed file
  ModelReferences result_;
};

// The per-format scanners; each throws LoadError when the main file itself cannot be parsed.
// glTF 2.0 and 1.0, JSON or GLB: `lookup` is Direct for 2.0 (thumbgen's loader), SideFile for 1.0 (assimp's).
void find_gltf_references(std::span<const std::uint8_t> bytes, Lookup lookup, ReferenceCollector& out);
void find_obj_references(std::string_view main_file, std::span<const std::uint8_t> bytes, ReferenceCollector& out);
void find_ply_references(std::span<const std::uint8_t> bytes, ReferenceCollector& out);
// Raw .tilt sketches: the brush texture URLs their loader asks for.
void find_tilt_references(std::span<const std::uint8_t> bytes, ReferenceCollector& out);
#if THUMBGEN_WITH_ASSIMP
// FBX, Collada and the rest of assimp's formats: imports the model (no post-processing) and lists what it read.
void find_assimp_references(const std::string& main_file, std::span<const std::uint8_t> bytes, ReferenceCollector& out);
#endif

}  // namespace thumbgen::scene
