#include "render/point_line_size.h"

#include <algorithm>
#include <cmath>

#include "scene/drawable_mesh.h"

namespace thumbgen::render {
namespace {

// The points together cover this share of the screen rectangle the cloud spans.
constexpr float kCoverage = 0.15f;
// Projecting this many points is plenty to measure the span of a cloud.
constexpr std::size_t kSpanSamples = 8192;

// One pixel per 360 rows of the image: 2 at 720p.
float base_size(int height) { return std::max(1.0f, std::round(static_cast<float>(height) / 360.0f)); }

}  // namespace

float point_size_pixels(const scene::Scene& scene, const glm::mat4& view_projection, int width, int height) {
  std::size_t points = 0;
  for (const scene::Draw& draw : scene.draws) {
    const scene::Mesh* mesh = scene::drawable_mesh(scene, draw);
    if (mesh && mesh->primitive == scene::Primitive::Points) points += mesh->positions.size();
  }
  const float base = base_size(height);
  if (points == 0) return base;

  // The rectangle on screen (normalised device coordinates) the points span, from a bounded sample.
  const std::size_t stride = std::max<std::size_t>(1, points / kSpanSamples);
  glm::vec2 low(1.0f), high(-1.0f);
  for (const scene::Draw& draw : scene.draws) {
    const scene::Mesh* mesh = scene::drawable_mesh(scene, draw);
    if (!mesh || mesh->primitive != scene::Primitive::Points) continue;
    const glm::mat4 to_clip = view_projection * draw.transform;
    for (std::size_t i = 0; i < mesh->positions.size(); i += stride) {
      const glm::vec4 clip = to_clip * glm::vec4(mesh->positions[i], 1.0f);
      if (clip.w <= 0.0f) continue;  // behind the camera
      const glm::vec2 ndc = glm::clamp(glm::vec2(clip) / clip.w, glm::vec2(-1.0f), glm::vec2(1.0f));
      low = glm::min(low, ndc);
      high = glm::max(high, ndc);
    }
  }
  const glm::vec2 span = glm::max(high - low, glm::vec2(0.0f)) * 0.5f;  // as fractions of the image
  // A flat or one-dimensional cloud still spans a band: at least a tenth of the image each way.
  const float area =
      std::max(span.x, 0.1f) * static_cast<float>(width) * std::max(span.y, 0.1f) * static_cast<float>(height);
  const float size = std::sqrt(kCoverage * area / static_cast<float>(points));
  return std::clamp(size, base, std::max(base, static_cast<float>(height) / 24.0f));
}

int line_width_pixels(int height) { return std::max(2, static_cast<int>(base_size(height))); }

}  // namespace thumbgen::render
