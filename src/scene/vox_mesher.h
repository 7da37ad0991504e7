// Voxels → a triangle mesh of their visible faces: only faces between a filled and an empty cell, merged into the
// largest same-coloured rectangles slice by slice ("greedy meshing"), so a solid 256³ block is 12 triangles and
// the vertex count follows the surface, not the volume. Internal to src/scene (see vox_file.h).
#pragma once

#include <cstdint>

#include "scene/scene.h"
#include "scene/vox_file.h"

namespace thumbgen::scene::vox {

// The mesh in the model's voxel corner coordinates (voxel (x, y, z) fills [x, x+1] × [y, y+1] × [z, z+1]), with
// flat normals, linear vertex colours from `palette` (opaque) and counter-clockwise outward faces. `max_vertices`
// is the budget left: throws LoadError when the mesh would exceed it. An empty model gives an empty mesh.
Mesh mesh_voxels(const Model& model, const Palette& palette, std::uint64_t max_vertices);

// The cells the mesher scans for a model: its voxels' bounding box (callers cap the sum over a file).
std::uint64_t grid_cells(const Model& model);

}  // namespace thumbgen::scene::vox
