// MagicaVoxel .vox files, as ephtracy/voxel-model documents them (MagicaVoxel-file-format-vox.txt and
// MagicaVoxel-file-format-vox-extension.txt): "VOX " + version (150, 200), then a MAIN chunk whose children are
// SIZE/XYZI pairs (one per model), an optional RGBA palette and, since 0.99, the scene graph (nTRN/nGRP/nSHP) and
// layers (LAYR). Materials (MATL, MATT) and render settings are skipped: a thumbnail draws the palette colours.
// Internal to src/scene (the loader is vox_loader.h).
#pragma once

#include <array>
#include <cstdint>
#include <glm/glm.hpp>
#include <span>
#include <string>
#include <vector>

#include "scene/vox_scene_graph.h"

namespace thumbgen::scene::vox {

struct Voxel {
  std::uint8_t x, y, z;
  std::uint8_t color;  // palette index 1..255 (0 is never a filled voxel)
};

struct Model {
  glm::ivec3 size{0};  // SIZE: the model's box, z up
  std::vector<Voxel> voxels;
};

// sRGB-encoded RGBA by palette index; entry 0 is unused.
using Palette = std::array<glm::u8vec4, 256>;

// MagicaVoxel's default palette (for files without an RGBA chunk).
const Palette& default_palette();

struct File {
  int version = 0;
  std::vector<Model> models;
  Palette palette{};
  SceneGraph graph;  // empty in files older than the scene graph
};

// Throws LoadError ("truncated .vox: ...", "not a MagicaVoxel file ...") on anything that does not fit; a file of
// N bytes never makes the parser hold more than about N bytes of voxels.
File parse_vox(std::span<const std::uint8_t> bytes);

}  // namespace thumbgen::scene::vox
