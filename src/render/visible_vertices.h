// Which vertices of a mesh end up on screen, so that framing fits what is drawn rather than every vertex a file
// holds. Exports carry geometry that draws nothing: Tilt Brush collapses unused stroke slots into zero-area
// triangles at the origin, fades stroke ends to zero alpha, and indexed meshes may keep vertices no primitive uses.
#pragma once

#include <vector>

#include "scene/scene.h"

namespace thumbgen::render {

// One flag per vertex of `mesh`: true when a primitive that can cover pixels uses it. A triangle covers pixels when
// it has area and, under a Blend or Additive material, some alpha (material × vertex colour) above zero, or under a
// Mask material, some alpha at or above the cutoff (textures only lower alpha, so a triangle failing this draws
// nothing whatever its texture). Points and lines count as drawn. Out-of-range indices are skipped.
// One pass over the primitives; a bit per vertex.
std::vector<bool> visible_vertices(const scene::Scene& scene, const scene::Mesh& mesh);

// `visible_vertices` for every mesh of the scene (by mesh index), so instanced meshes are walked once.
std::vector<std::vector<bool>> visible_vertices(const scene::Scene& scene);

}  // namespace thumbgen::render
