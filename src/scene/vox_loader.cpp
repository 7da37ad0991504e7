#include "scene/vox_loader.h"

#include <glm/gtc/matrix_transform.hpp>
#include <string>
#include <vector>

#include "scene/load_error.h"
#include "scene/vox_file.h"
#include "scene/vox_mesher.h"
#include "scene/vox_scene_graph.h"

namespace thumbgen::scene {
namespace {

// The meshing work a file may ask for, in grid cells scanned: 64 full 256³ models (a few seconds). A hostile file
// can declare thousands of models with two opposite-corner voxels each for a few bytes apiece.
constexpr std::uint64_t kMaxGridCells = 1ull << 30;
constexpr std::size_t kMaxInstances = 100'000;

// MagicaVoxel places a model by its box centre: cell coordinates minus half the size (rounded down), then the
// node's rotation and translation.
glm::mat4 instance_transform(const vox::Instance& instance, const glm::ivec3& size) {
  glm::mat4 m(instance.rotation);
  m[3] = glm::vec4(instance.translation, 1.0f);
  return glm::translate(m, -glm::vec3(size / 2));
}

}  // namespace

Scene load_vox(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  vox::File file = vox::parse_vox(bytes);
  Scene scene;
  scene.format = "VOX";
  std::vector<vox::Instance> instances = vox::flatten(file.graph, file.models.size(), kMaxInstances, scene.warnings);
  const bool placed = !file.graph.nodes.empty();
  if (!placed) {  // files before the scene graph: every model once, in its own coordinates
    for (std::size_t i = 0; i < file.models.size(); ++i) instances.push_back({static_cast<int>(i)});
  }

  std::vector<bool> drawn(file.models.size(), false);
  for (const vox::Instance& instance : instances) drawn[static_cast<std::size_t>(instance.model)] = true;
  std::uint64_t cells = 0;
  for (std::size_t i = 0; i < file.models.size(); ++i) {
    if (drawn[i]) cells += vox::grid_cells(file.models[i]);
  }
  if (cells > kMaxGridCells) {
    throw LoadError(".vox: the models span " + std::to_string(cells) + " voxel cells, more than the " +
                    std::to_string(kMaxGridCells) + " a thumbnail meshes");
  }

  Material material;
  material.name = "MagicaVoxel palette";
  material.metallic = 0.0f;
  material.roughness = 0.9f;
  scene.materials.push_back(material);

  std::vector<int> mesh_of_model(file.models.size(), -1);
  std::uint64_t vertices = 0;
  for (std::size_t i = 0; i < file.models.size(); ++i) {
    if (!drawn[i]) continue;
    Mesh mesh = vox::mesh_voxels(file.models[i], file.palette, limits.max_vertices - vertices);
    if (mesh.positions.empty()) continue;
    vertices += mesh.positions.size();
    mesh.material = 0;
    mesh_of_model[i] = static_cast<int>(scene.meshes.size());
    scene.meshes.push_back(std::move(mesh));
  }
  for (const vox::Instance& instance : instances) {
    const int mesh = mesh_of_model[static_cast<std::size_t>(instance.model)];
    if (mesh < 0) continue;
    const glm::mat4 transform =
        placed ? instance_transform(instance, file.models[static_cast<std::size_t>(instance.model)].size)
               : glm::mat4(1.0f);
    scene.draws.push_back({mesh, transform});
  }
  return scene;
}

}  // namespace thumbgen::scene
