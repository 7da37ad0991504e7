// The long-tail loader: every format assimp 5.2.5 imports (OBJ+MTL, PLY meshes and point clouds, STL, FBX,
// glTF 1.0 incl. KHR_binary_glTF, Collada, 3DS, ...) → Scene. Side files go through FileAccess only.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "scene/file_access.h"
#include "scene/image_decoder.h"
#include "scene/load.h"
#include "scene/scene.h"

namespace Assimp {
class Importer;
}

namespace thumbgen::scene {

// The settings of every assimp import here (rendering and reference discovery): points and lines kept; no
// animations, lights, skeleton meshes or pivots.
void configure_assimp_importer(Assimp::Importer& importer);

// `bytes` is the content of `main_file` (already read by the caller). Throws LoadError: "assimp: <reason>",
// "no geometry", or a limit that was exceeded. Missing side files (MTL, textures) are warnings in the Scene.
Scene load_with_assimp(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files,
                       ImageDecoder& images, const LoadLimits& limits);

}  // namespace thumbgen::scene
