// Which files a model uses besides its main file, found without rendering it: what a server publishes with the
// model. Every name resolves as the loaders resolve it when rendering (the rules of file_names.h over the model
// folder's list of files), so the list holds exactly the files a render would read, plus the ones only other
// viewers read (MTL maps the renderer ignores, glTF 1.0 shaders).
//
//   glTF 2.0 / 1.0 (JSON or GLB): buffers, images (and 1.0 shaders) by URI, percent-decoded; data: URIs are no files
//   OBJ: mtllib (the renderer's fallback <name>.mtl too) and every texture map of those MTL files, options skipped
//   PLY meshes: "comment TextureFile" (assimp reads it); FBX, Collada and assimp's other formats: what assimp reads
//   (side files and material textures that are not embedded; needs THUMBGEN_WITH_ASSIMP)
//   STL, splats (3DGS PLY, SPZ, SPLAT) and raw .tilt sketches: nothing
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scene/file_list.h"
#include "scene/file_names.h"

namespace thumbgen::scene {

// The most files one model may use besides its main file: `thumbgen import` refuses a model that references more,
// and `thumbgen work` fetches no more than this (plus the main file) for one asset.
constexpr std::size_t kMaxModelSideFiles = 2000;

struct ResolvedReference {
  std::string reference;  // as the model writes it (glTF URIs percent-decoded)
  std::string file;       // the listed file it resolves to
  std::string role;       // "buffer", "image", "shader", "material library", "texture", "side file"
};

struct UnresolvedReference {
  std::string reference;
  std::string role;
  FileProblem problem;  // Url for network references (Tilt Brush brush textures, glTF 1.0 shaders)
  std::string reason;   // the error a render would report: "tex.png: not found"
};

struct ModelReferences {
  std::vector<std::string> files;  // the listed files the model uses, each once, in the order first referenced;
                                   // never the main file itself
  std::vector<ResolvedReference> resolved;      // each distinct reference once, in the model's order
  std::vector<UnresolvedReference> unresolved;  // likewise
  std::vector<std::string> warnings;            // e.g. an MTL that could not be read: its maps are not listed
  bool truncated = false;  // more than ReferenceCollector::kMaxReferences references: the lists stop there
  std::string error;       // non-empty: the main file could not be read or parsed, so the lists are incomplete
};

// Reads a listed file by its listed name; throws LoadError when it cannot (too large, unreadable).
using ReadListedFile = std::function<std::vector<std::uint8_t>(const std::string& listed_name)>;

// The files `main_file` references. `folder` is its model folder as the renderer sees it: the main file's own folder
// (FolderAccess::file_names() and folder(), or the browser's files under the main file's folder). Reads the main file
// and, for OBJ, its MTL files through `read`. Never throws for a bad model: what went wrong is in `error` and
// `warnings`.
ModelReferences find_model_references(const std::string& main_file, const FileList& folder, const ReadListedFile& read);

}  // namespace thumbgen::scene
