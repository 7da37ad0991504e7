// Small Scenes built in code for renderer and framing tests (no files, no loaders involved).
#pragma once

#include "scene/scene.h"

namespace thumbgen::test {

// An axis-aligned box mesh centred at `center` with per-face normals.
scene::Mesh box_mesh(glm::vec3 center, glm::vec3 half_size);
// A UV sphere with smooth normals.
scene::Mesh sphere_mesh(glm::vec3 center, float radius, int segments = 32);

// Appends one splat, unrotated, of `scale` standard deviations and display colour `color`.
void add_splat(scene::SplatCloud& cloud, glm::vec3 position, glm::vec3 scale, glm::vec3 color, float opacity = 1.0f);

// Adds `mesh` to `scene` with its own `material`, drawn with `transform`; returns the mesh's index.
int add_mesh(scene::Scene& scene, scene::Mesh mesh, scene::Material material, glm::mat4 transform = glm::mat4(1.0f));

// A scene with one mesh and one material of the given colour (linear), drawn with `transform`.
scene::Scene single_mesh_scene(scene::Mesh mesh, glm::vec4 color, bool unlit, glm::mat4 transform = glm::mat4(1.0f));

}  // namespace thumbgen::test
