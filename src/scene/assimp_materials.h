// assimp materials → Scene materials (PBR metallic-roughness), textures decoded through ImageDecoder.
#pragma once

#include <assimp/scene.h>

#include <map>
#include <string>

#include "scene/file_access.h"
#include "scene/image_decoder.h"
#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::scene {

struct AssimpMaterialOptions {
  // Base colour textures assimp does not see (glTF 1.0 technique parameters such as Tilt Brush's MainTex),
  // keyed by material name; values are image URIs relative to the model or "*<bytes index>" entries below.
  std::map<std::string, std::string> extra_base_textures;
  std::map<std::string, std::string> extra_texture_bytes;  // name → encoded image (GLB-embedded, data: URIs)
  bool tilt_brush = false;                                 // apply the brush table to material names
};

// Appends one Scene material per aiMaterial (same indices) and the images they use.
void add_assimp_materials(const aiScene& ai, const AssimpMaterialOptions& options, FileAccess& files,
                          ImageDecoder& images, const LoadLimits& limits, Scene& scene);

}  // namespace thumbgen::scene
