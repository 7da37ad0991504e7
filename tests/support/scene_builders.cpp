#include "support/scene_builders.h"

#include <cmath>

namespace thumbgen::test {

using scene::Mesh;
using scene::Scene;

Mesh box_mesh(glm::vec3 center, glm::vec3 half_size) {
  Mesh mesh;
  const glm::vec3 normals[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  for (const glm::vec3& n : normals) {
    // Two axes spanning the face, ordered so the triangles wind counter-clockwise seen from outside.
    const glm::vec3 u = std::abs(n.y) > 0.5f ? glm::vec3(1, 0, 0) : glm::vec3(0, 1, 0);
    const glm::vec3 v = glm::cross(n, u);
    const auto base = static_cast<std::uint32_t>(mesh.positions.size());
    for (const glm::vec2 corner : {glm::vec2(-1, -1), glm::vec2(1, -1), glm::vec2(1, 1), glm::vec2(-1, 1)}) {
      mesh.positions.push_back(center + half_size * (n + u * corner.x + v * corner.y));
      mesh.normals.push_back(n);
    }
    for (std::uint32_t i : {0u, 1u, 2u, 0u, 2u, 3u}) mesh.indices.push_back(base + i);
  }
  return mesh;
}

Mesh sphere_mesh(glm::vec3 center, float radius, int segments) {
  Mesh mesh;
  const int rings = segments / 2;
  for (int r = 0; r <= rings; ++r) {
    const float theta = static_cast<float>(M_PI) * static_cast<float>(r) / static_cast<float>(rings);
    for (int s = 0; s <= segments; ++s) {
      const float phi = 2.0f * static_cast<float>(M_PI) * static_cast<float>(s) / static_cast<float>(segments);
      const glm::vec3 n(std::sin(theta) * std::cos(phi), std::cos(theta), std::sin(theta) * std::sin(phi));
      mesh.positions.push_back(center + n * radius);
      mesh.normals.push_back(n);
    }
  }
  for (int r = 0; r < rings; ++r) {
    for (int s = 0; s < segments; ++s) {
      const auto a = static_cast<std::uint32_t>(r * (segments + 1) + s);
      const auto b = static_cast<std::uint32_t>((r + 1) * (segments + 1) + s);
      for (std::uint32_t i : {a, a + 1, b, b, a + 1, b + 1}) mesh.indices.push_back(i);
    }
  }
  return mesh;
}

Scene single_mesh_scene(Mesh mesh, glm::vec4 color, bool unlit, glm::mat4 transform) {
  Scene scene;
  scene::Material material;
  material.base_color = color;
  material.metallic = 0.0f;
  material.roughness = 0.5f;
  material.unlit = unlit;
  scene.materials.push_back(material);
  mesh.material = 0;
  scene.meshes.push_back(std::move(mesh));
  scene.draws.push_back({0, transform});
  return scene;
}

int add_mesh(Scene& scene, Mesh mesh, scene::Material material, glm::mat4 transform) {
  mesh.material = static_cast<int>(scene.materials.size());
  scene.materials.push_back(std::move(material));
  const int index = static_cast<int>(scene.meshes.size());
  scene.meshes.push_back(std::move(mesh));
  scene.draws.push_back({index, transform});
  return index;
}

void add_splat(scene::SplatCloud& cloud, glm::vec3 position, glm::vec3 scale, glm::vec3 color, float opacity) {
  cloud.positions.push_back(position);
  cloud.scales.push_back(scale);
  cloud.rotations.emplace_back(1.0f, 0.0f, 0.0f, 0.0f);
  cloud.colors.emplace_back(color, opacity);
}

}  // namespace thumbgen::test
