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

// Binary STL: assimp reads a file as binary only when its size is exactly 84 + 50 bytes per declared triangle and
// otherwise fails with "Failed to determine STL storage representation". Returns how many leading bytes to hand
// assimp (bytes after the last triangle, which some exporters leave, are dropped), or the whole size for ASCII
// STL. Throws LoadError when the file is too short for the triangles its header declares.
std::size_t binary_stl_bytes(std::span<const std::uint8_t> bytes);

}  // namespace thumbgen::scene
