#include "scene/tilt_stroke_geometry.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace thumbgen::scene {
namespace {

constexpr int kTubeSides = 8;
constexpr float kPi = 3.14159265f;
// Tilt Brush narrows a stroke with pen pressure down to the brush's minimum (TiltBrushShape::min_pressure_size, the
// descriptor's pressure size range); without pressure data the stroke has its full size.
float pressured_half_width(const TiltStroke& stroke, float pressure, float min_size) {
  const float p = std::clamp(pressure, 0.0f, 1.0f);
  return 0.5f * stroke.size * (min_size + (1.0f - min_size) * p);
}

glm::vec3 safe_normalize(const glm::vec3& v, const glm::vec3& fallback) {
  const float length = glm::length(v);
  return length > 1e-12f && std::isfinite(length) ? v / length : fallback;
}

// Any unit vector perpendicular to unit `t`.
glm::vec3 perpendicular(const glm::vec3& t) {
  const glm::vec3 axis = std::abs(t.x) < 0.9f ? glm::vec3(1, 0, 0) : glm::vec3(0, 1, 0);
  return glm::normalize(glm::cross(t, axis));
}

// The stroke's control points without the ones that barely move from the last kept one (Tilt Brush breaks the strip
// there too: the frame of a zero-length segment is undefined).
std::vector<const TiltControlPoint*> moving_points(const TiltStroke& stroke) {
  const float min_move = std::max(stroke.size * 1e-3f, 1e-6f);
  std::vector<const TiltControlPoint*> kept;
  kept.reserve(stroke.points.size());
  for (const TiltControlPoint& point : stroke.points) {
    if (kept.empty() || glm::distance(point.position, kept.back()->position) >= min_move) kept.push_back(&point);
  }
  return kept;
}

// Per kept point: tangent, right and surface normal, as Tilt Brush's ComputeSurfaceFrameNew derives them from the
// brush orientation: right = pointer-forward × tangent, blended towards pointer-up × tangent when the brush is pulled
// along its own forward, each kept on the side of the previous right so the strip does not flip.
struct Frame {
  glm::vec3 tangent;
  glm::vec3 right;
  glm::vec3 normal;
};

std::vector<Frame> stroke_frames(const std::vector<const TiltControlPoint*>& points) {
  const std::size_t n = points.size();
  std::vector<Frame> frames(n);
  glm::vec3 previous_right(0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const glm::vec3& before = points[i == 0 ? 0 : i - 1]->position;
    const glm::vec3& after = points[std::min(i + 1, n - 1)]->position;
    const glm::vec3 tangent = safe_normalize(after - before, glm::vec3(0, 0, 1));
    const glm::quat& orientation = points[i]->orientation;
    const glm::vec3 forward = orientation * glm::vec3(0, 0, 1);
    const glm::vec3 up = orientation * glm::vec3(0, 1, 0);
    auto towards_previous = [&](glm::vec3 v) { return glm::dot(v, previous_right) < 0.0f ? -v : v; };
    const glm::vec3 right1 = towards_previous(glm::cross(forward, tangent));
    const glm::vec3 right2 = towards_previous(glm::cross(up, tangent)) * std::abs(glm::dot(forward, tangent));
    glm::vec3 right = right1 + right2;
    right = glm::length(right) > 1e-6f ? glm::normalize(right)
                                       : (glm::length(previous_right) > 0.0f ? previous_right : perpendicular(tangent));
    // Keep right exactly perpendicular to the tangent.
    right = safe_normalize(right - tangent * glm::dot(right, tangent), perpendicular(tangent));
    frames[i] = {tangent, right, glm::cross(tangent, right)};
    previous_right = right;
  }
  return frames;
}

std::uint32_t base_index(const Mesh& mesh) { return static_cast<std::uint32_t>(mesh.positions.size()); }

void add_vertex(Mesh& mesh, const glm::vec3& position, const glm::vec3& normal, const glm::vec2& uv,
                const glm::vec4& color) {
  mesh.positions.push_back(position);
  mesh.normals.push_back(normal);
  mesh.uv0.push_back(uv);
  mesh.colors.push_back(color);
}

void add_triangle(Mesh& mesh, std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  mesh.indices.insert(mesh.indices.end(), {a, b, c});
}

// Texture u runs along the stroke in units of the brush size, v across it.
std::vector<float> distances_along(const std::vector<const TiltControlPoint*>& points, float size) {
  std::vector<float> u(points.size(), 0.0f);
  const float unit = std::max(size, 1e-6f);
  for (std::size_t i = 1; i < points.size(); ++i)
    u[i] = u[i - 1] + glm::distance(points[i]->position, points[i - 1]->position) / unit;
  return u;
}

void append_ribbon(const TiltStroke& stroke, const TiltBrushShape& shape, std::size_t variation, const glm::vec4& color,
                   Mesh& mesh) {
  const TiltTextureLayout& texture = shape.texture;
  const auto points = moving_points(stroke);
  if (points.size() < 2) return;
  const auto frames = stroke_frames(points);
  auto u = distances_along(points, stroke.size);
  float v0 = 0.0f, v1 = 1.0f;
  if (texture.stretch) {
    const float length = std::max(u.back(), 1e-6f);
    for (float& value : u) value /= length;
    const int rows = std::max(texture.atlas_rows, 1);
    const float row = static_cast<float>(variation % static_cast<std::size_t>(rows));
    v0 = row / static_cast<float>(rows);
    v1 = (row + 1.0f) / static_cast<float>(rows);
  }
  const std::uint32_t first = base_index(mesh);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const glm::vec3 half = frames[i].right * pressured_half_width(stroke, points[i]->pressure, shape.min_pressure_size);
    add_vertex(mesh, points[i]->position - half, frames[i].normal, {u[i], v0}, color);
    add_vertex(mesh, points[i]->position + half, frames[i].normal, {u[i], v1}, color);
  }
  for (std::uint32_t i = 0; i + 1 < points.size(); ++i) {
    const std::uint32_t a = first + 2 * i;  // left, right of point i; a + 2, a + 3 of point i + 1
    add_triangle(mesh, a, a + 2, a + 1);    // counter-clockwise seen from the side the normal points to
    add_triangle(mesh, a + 1, a + 2, a + 3);
  }
}

// Rings of kTubeSides vertices around each point, counter-clockwise seen from ahead (right → normal), capped at both
// ends: every triangle winds counter-clockwise seen from outside.
void append_tube(const TiltStroke& stroke, const TiltBrushShape& shape, const glm::vec4& color, Mesh& mesh) {
  const auto points = moving_points(stroke);
  if (points.size() < 2) return;
  const auto frames = stroke_frames(points);
  const auto u = distances_along(points, stroke.size);
  const std::uint32_t first = base_index(mesh);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float radius = pressured_half_width(stroke, points[i]->pressure, shape.min_pressure_size);
    for (int k = 0; k < kTubeSides; ++k) {
      const float angle = 2.0f * kPi * static_cast<float>(k) / kTubeSides;
      const glm::vec3 out = std::cos(angle) * frames[i].right + std::sin(angle) * frames[i].normal;
      add_vertex(mesh, points[i]->position + out * radius, out, {u[i], static_cast<float>(k) / kTubeSides}, color);
    }
  }
  const auto ring = [&](std::size_t i, int k) {
    return first + static_cast<std::uint32_t>(i * kTubeSides + static_cast<std::size_t>(k % kTubeSides));
  };
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    for (int k = 0; k < kTubeSides; ++k) {
      add_triangle(mesh, ring(i, k), ring(i, k + 1), ring(i + 1, k));
      add_triangle(mesh, ring(i, k + 1), ring(i + 1, k + 1), ring(i + 1, k));
    }
  }
  const std::size_t last = points.size() - 1;
  const std::uint32_t start_cap = base_index(mesh);
  add_vertex(mesh, points[0]->position, -frames[0].tangent, {u[0], 0.5f}, color);
  const std::uint32_t end_cap = base_index(mesh);
  add_vertex(mesh, points[last]->position, frames[last].tangent, {u[last], 0.5f}, color);
  for (int k = 0; k < kTubeSides; ++k) {
    add_triangle(mesh, start_cap, ring(0, k + 1), ring(0, k));
    add_triangle(mesh, end_cap, ring(last, k), ring(last, k + 1));
  }
}

// Three crossed quads (one per axis of the control point's orientation) at every control point: reads as a soft dot
// from any side, with the whole particle texture (uv 0-1) on each quad.
void append_particles(const TiltStroke& stroke, const TiltBrushShape& shape, const glm::vec4& color, Mesh& mesh) {
  for (const TiltControlPoint& point : stroke.points) {
    const float half = pressured_half_width(stroke, point.pressure, shape.min_pressure_size);
    const glm::vec3 axes[3] = {point.orientation * glm::vec3(1, 0, 0), point.orientation * glm::vec3(0, 1, 0),
                               point.orientation * glm::vec3(0, 0, 1)};
    for (int normal_axis = 0; normal_axis < 3; ++normal_axis) {
      const glm::vec3& a = axes[(normal_axis + 1) % 3];
      const glm::vec3& b = axes[(normal_axis + 2) % 3];
      const std::uint32_t first = base_index(mesh);
      add_vertex(mesh, point.position + (-a - b) * half, axes[normal_axis], {0.0f, 0.0f}, color);
      add_vertex(mesh, point.position + (a - b) * half, axes[normal_axis], {1.0f, 0.0f}, color);
      add_vertex(mesh, point.position + (a + b) * half, axes[normal_axis], {1.0f, 1.0f}, color);
      add_vertex(mesh, point.position + (-a + b) * half, axes[normal_axis], {0.0f, 1.0f}, color);
      add_triangle(mesh, first, first + 1, first + 2);
      add_triangle(mesh, first, first + 2, first + 3);
    }
  }
}

}  // namespace

std::uint64_t tilt_stroke_vertex_bound(TiltBrushFamily family, std::size_t points) {
  const std::uint64_t n = points;
  switch (family) {
    case TiltBrushFamily::Ribbon:
      return 2 * n;
    case TiltBrushFamily::Tube:
      return kTubeSides * n + 2;
    case TiltBrushFamily::Particles:
      break;
  }
  return 12 * n;
}

void append_tilt_stroke(const TiltStroke& stroke, const TiltBrushShape& shape, const glm::vec4& linear_color,
                        std::size_t variation, Mesh& mesh) {
  if (!(stroke.size > 0.0f) || !std::isfinite(stroke.size)) return;
  switch (shape.family) {
    case TiltBrushFamily::Ribbon:
      append_ribbon(stroke, shape, variation, linear_color, mesh);
      return;
    case TiltBrushFamily::Tube:
      append_tube(stroke, shape, linear_color, mesh);
      return;
    case TiltBrushFamily::Particles:
      append_particles(stroke, shape, linear_color, mesh);
      return;
  }
}

}  // namespace thumbgen::scene
