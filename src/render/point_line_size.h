// How big points and lines are drawn: a point cloud or a wireframe must read as a shape in the thumbnail, whether
// it has five points or a million.
#pragma once

#include <glm/glm.hpp>

#include "scene/scene.h"

namespace thumbgen::render {

// Pixels across one point (gl_PointSize) for the scene's point primitives seen through view_projection in a
// width × height image. Dense clouds get small points; sparse ones bigger points, sized so that together they
// cover a fixed share of the screen area the cloud spans (a few hundred 2-pixel dots on a 1280×720 thumbnail
// would look blank), up to a cap that keeps single points dots rather than blobs.
float point_size_pixels(const scene::Scene& scene, const glm::mat4& view_projection, int width, int height);

// Pixels across a line: at least 2, more on large images.
int line_width_pixels(int height);

}  // namespace thumbgen::render
