// PLY repairs assimp 5.2.5 needs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace thumbgen::scene {

// Many scanners (and assimp's own test clouds) name vertex colours diffuse_red/diffuse_green/diffuse_blue
// (/diffuse_alpha); assimp only reads red/green/blue/alpha on vertices and drops the others, so such clouds
// render grey. Returns a copy whose header uses the plain names, or an empty vector when nothing needs renaming
// (not a PLY, or the vertex element already has plain colour names). The body is copied unchanged.
std::vector<std::uint8_t> with_plain_ply_colour_names(std::span<const std::uint8_t> bytes);

}  // namespace thumbgen::scene
