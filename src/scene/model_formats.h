// The one list of model file extensions: which format each is, its Icosa gallery format type, and who reads it.
// `thumbgen render` walks folders with it, `thumbgen import` decides with it which files are models (and which are
// side files of a model).
#pragma once

#include <span>
#include <string_view>

#include "scene/up_axis.h"

namespace thumbgen::scene {

enum class ModelReader {
  Native,          // src/scene's own loaders: glTF 2.0, Gaussian splats
  NativeOrAssimp,  // by content: glTF 2.0 / 3DGS PLY natively, glTF 1.0 / PLY meshes through assimp
  Assimp,          // through assimp only (THUMBGEN_WITH_ASSIMP builds)
  Refused,         // recognised by content and refused with a clear reason (raw Tilt Brush sketches)
  NoLoader,        // a gallery format no loader reads yet
};

struct ModelFormat {
  std::string_view extension;  // lower case, without the dot
  std::string_view name;       // for people: "glTF", "Wavefront OBJ", ...
  // Icosa format type ("GLB", "OBJ", ...); "" when the gallery has none. The content may refine it: a .gltf holding
  // glTF 1.0 is GLTF1 (see the importer).
  std::string_view gallery_type;
  ModelReader reader;
  // The format's up axis by convention: the one table of Z-up formats (3D printing / CAD). A file's own declaration
  // (FBX GlobalSettings) and an explicit --up / render_settings "up" take precedence.
  UpAxis up = UpAxis::PlusY;
};

std::span<const ModelFormat> model_formats();

// The format of an extension, with or without its dot, in any case ("GLB", ".glb"); nullptr when it is none.
const ModelFormat* model_format_for(std::string_view extension);

// Whether this build renders files of `format` (at least some of them: glTF 1.0 and PLY meshes need assimp).
bool loadable_in_this_build(const ModelFormat& format);

}  // namespace thumbgen::scene
