// PLY repairs assimp 5.2.5 needs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace thumbgen::scene {

// Every repair below that the file needs, in one copy; an empty vector when it needs none.
std::vector<std::uint8_t> ply_for_assimp(std::span<const std::uint8_t> bytes);

// Many scanners (and assimp's own test clouds) name vertex colours diffuse_red/diffuse_green/diffuse_blue
// (/diffuse_alpha); assimp only reads red/green/blue/alpha on vertices and drops the others, so such clouds
// render grey. Returns a copy whose header uses the plain names, or an empty vector when nothing needs renaming
// (not a PLY, or the vertex element already has plain colour names). The body is copied unchanged.
std::vector<std::uint8_t> with_plain_ply_colour_names(std::span<const std::uint8_t> bytes);

// Stanford-era scans store their surface as triangle strips ("element tristrips" with a "vertex_indices" list in
// which -1 starts a new strip); assimp reads such a list as one polygon and draws a single triangle. Returns a
// copy (same format: ASCII or binary of either byte order) whose strips are an "element face" of triangles, or an
// empty vector when the file has no tristrips element. A file with faces as well keeps them, and its strips'
// triangles join them (in the faces' own property layout; their other properties zero). Throws LoadError when the
// data ends before the strips do, or a strip's index does not fit the faces' index type.
std::vector<std::uint8_t> with_ply_strips_as_faces(std::span<const std::uint8_t> bytes);

}  // namespace thumbgen::scene
