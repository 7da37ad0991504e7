// MagicaVoxel .vox → Scene: one greedy-meshed, vertex-coloured mesh per model, drawn once per scene-graph instance
// (placed by its nTRN translation and rotation). Stays in the file's Z-up axes: model_formats marks .vox +Z up.
#pragma once

#include <cstdint>
#include <span>

#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::scene {

// Throws LoadError on malformed or hostile input (sizes, counts and the meshing work are checked first).
Scene load_vox(std::span<const std::uint8_t> bytes, const LoadLimits& limits);

}  // namespace thumbgen::scene
