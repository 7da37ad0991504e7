// Triangles for one Tilt Brush stroke, by brush family (see tilt_brush_families.h). Works in the sketch's own
// (Unity, left-handed) coordinates; the loader turns the whole sketch into right-handed axes with its draw transform.
#pragma once

#include <cstdint>
#include <glm/glm.hpp>

#include "scene/scene.h"
#include "scene/tilt_brush_families.h"
#include "scene/tilt_sketch_data.h"

namespace thumbgen::scene {

// The most vertices append_tilt_stroke adds for a stroke of `points` control points, for limit checks before building.
std::uint64_t tilt_stroke_vertex_bound(TiltBrushFamily family, std::size_t points);

// Appends the stroke's triangles (positions, normals, uv0, colours, indices) to `mesh`. `linear_color` is the
// stroke's colour, already linear; `variation` picks the texture atlas row of a stretched ribbon (Tilt Brush picks
// one at random). A stroke that does not move (fewer than two distinct points) adds nothing unless its brush makes
// particles.
void append_tilt_stroke(const TiltStroke& stroke, const TiltBrushShape& shape, const glm::vec4& linear_color,
                        std::size_t variation, Mesh& mesh);

}  // namespace thumbgen::scene
