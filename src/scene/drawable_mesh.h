// The mesh a draw names, checked once here for every walk over a scene's draws.
#pragma once

#include <cstddef>

#include "scene/scene.h"

namespace thumbgen::scene {

// The mesh `draw` names, when there is one with vertices to draw; nullptr for an out-of-range index or an empty mesh.
inline const Mesh* drawable_mesh(const Scene& scene, const Draw& draw) {
  if (draw.mesh < 0 || static_cast<std::size_t>(draw.mesh) >= scene.meshes.size()) return nullptr;
  const Mesh& mesh = scene.meshes[static_cast<std::size_t>(draw.mesh)];
  return mesh.positions.empty() ? nullptr : &mesh;
}

}  // namespace thumbgen::scene
