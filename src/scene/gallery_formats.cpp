#include "scene/gallery_formats.h"

#include <array>

namespace thumbgen::scene {

int gallery_format_rank(std::string_view format_type) {
  static constexpr std::array<std::string_view, 16> kOrder = {"IMM",  "GLB", "GLTF2",  "GLTF1", "OBJ",    "FBX",
                                                              "SPZ",  "PLY", "SOG",    "SPLAT", "KSPLAT", "STL",
                                                              "USDZ", "VOX", "BLOCKS", "TILT"};
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (format_type == kOrder[i]) return static_cast<int>(i);
  }
  return static_cast<int>(kOrder.size());
}

}  // namespace thumbgen::scene
