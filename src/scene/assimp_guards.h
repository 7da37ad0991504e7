// Checks assimp does not make before allocating: header counts that promise more data than the file holds.
#pragma once

#include <cstdint>
#include <span>

#include "scene/load.h"

namespace thumbgen::scene {

// PLY: assimp sizes its element lists from the header ("element vertex 4000000000") before reading any data.
// Throws LoadError when the declared elements cannot fit in the file or exceed limits.max_vertices.
// Does nothing for files that are not PLY.
void check_ply_header(std::span<const std::uint8_t> bytes, const LoadLimits& limits);

}  // namespace thumbgen::scene
