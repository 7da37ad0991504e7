#include "scene/scene.h"

namespace thumbgen::scene {

bool Scene::has_geometry() const {
  for (const Draw& draw : draws) {
    if (draw.mesh >= 0 && static_cast<std::size_t>(draw.mesh) < meshes.size() &&
        !meshes[static_cast<std::size_t>(draw.mesh)].positions.empty()) {
      return true;
    }
  }
  for (const SplatCloud& cloud : splats) {
    if (cloud.size() > 0) return true;
  }
  return false;
}

std::size_t Scene::triangle_count() const {
  std::size_t count = 0;
  for (const Draw& draw : draws) {
    if (draw.mesh < 0 || static_cast<std::size_t>(draw.mesh) >= meshes.size()) continue;
    const Mesh& mesh = meshes[static_cast<std::size_t>(draw.mesh)];
    if (mesh.primitive != Primitive::Triangles) continue;
    count += (mesh.indices.empty() ? mesh.positions.size() : mesh.indices.size()) / 3;
  }
  return count;
}

}  // namespace thumbgen::scene
