// Icosa gallery format types (TILT, GLB, GLTF2, ...) in the order a thumbnail should be rendered from when an
// asset has several (DESIGN §3). Shared by the importer (which format is preferred) and the worker (which to fetch).
#pragma once

#include <string_view>

namespace thumbgen::scene {

// 0 = most preferred; unknown types rank after every known one.
int gallery_format_rank(std::string_view format_type);

}  // namespace thumbgen::scene
