// glTF 2.0 loader (.gltf JSON or GLB), incl. Draco, meshopt, quantization and the common material extensions.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "scene/load.h"

namespace thumbgen::scene {

// Loads the glTF 2.0 asset `main_file` whose content is `bytes` (.gltf JSON or GLB). Side files (buffers,
// textures) are read through `files`, textures decoded through `images`. Throws LoadError (also for glTF 1.0,
// which another loader handles); textures that cannot be decoded become Scene::warnings.
Scene load_gltf(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files,
                ImageDecoder& images, const LoadLimits& limits);

}  // namespace thumbgen::scene
