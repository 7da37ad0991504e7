#include "render/framing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <glm/gtc/matrix_transform.hpp>
#include <optional>
#include <vector>

#include "render/visible_vertices.h"
#include "scene/drawable_mesh.h"

namespace thumbgen::render {
namespace {

constexpr std::size_t kMaxSamples = 200'000;
constexpr float kFill = 0.88f;  // the object's extent may use this fraction of the frame

// Points and splats have floaters: per axis, the range between the `tail` and 1 − `tail` quantiles, widened by
// `reach` × that range on each side (never beyond the exact box), so true outliers far away are dropped while a
// scan's real edges are kept. Meshes are taken whole.
void add_robust(scene::Bounds& bounds, std::vector<glm::vec3>& samples, float tail, float reach_fraction) {
  if (samples.empty()) return;
  scene::Bounds exact;
  for (const auto& p : samples) exact.add(p);
  if (samples.size() < 100) {
    bounds.add(exact.min);
    bounds.add(exact.max);
    return;
  }
  glm::vec3 low, high;
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<float> values(samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) values[i] = samples[i][axis];
    const auto cut = static_cast<std::size_t>(static_cast<float>(values.size()) * tail);
    const std::size_t lo = cut, hi = values.size() - 1 - cut;
    std::nth_element(values.begin(), values.begin() + static_cast<long>(lo), values.end());
    const float p1 = values[lo];
    std::nth_element(values.begin(), values.begin() + static_cast<long>(hi), values.end());
    const float p99 = values[hi];
    const float reach = (p99 - p1) * reach_fraction;
    low[axis] = std::max(exact.min[axis], p1 - reach);
    high[axis] = std::min(exact.max[axis], p99 + reach);
  }
  bounds.add(low);
  bounds.add(high);
}

glm::vec3 direction_from(const CameraAngles& angles) {
  const float yaw = glm::radians(angles.yaw_degrees), pitch = glm::radians(angles.pitch_degrees);
  return {std::sin(yaw) * std::cos(pitch), std::sin(pitch), std::cos(yaw) * std::cos(pitch)};
}

bool finite(const glm::vec3& p) { return std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z); }

glm::vec3 safe_normalize(const glm::vec3& v, const glm::vec3& fallback) {
  const float length = glm::length(v);
  return length > 0.0f && std::isfinite(length) ? v / length : fallback;
}

// How far along the line of sight the model's centre lies (at least a small part of its size): where a camera's
// target goes when only its direction is known.
float target_depth(const scene::Bounds& bounds, const glm::vec3& position, const glm::vec3& forward) {
  if (!bounds.valid()) return 1.0f;
  const float radius = std::max(glm::length(bounds.size()) * 0.5f, 1e-6f);
  return std::max(glm::dot(bounds.center() - position, forward), radius * 0.1f);
}

}  // namespace

namespace {

// `robust_bounds` over the vertices `visible` (per mesh, from visible_vertices) flags.
scene::Bounds visible_bounds(const scene::Scene& scene, const std::vector<std::vector<bool>>& visible,
                             const glm::quat& orientation) {
  const glm::mat4 turn = glm::mat4_cast(orientation);
  scene::Bounds bounds;
  std::vector<glm::vec3> scattered;  // positions of points, sampled
  for (const scene::Draw& draw : scene.draws) {
    const scene::Mesh* mesh = scene::drawable_mesh(scene, draw);
    if (!mesh) continue;
    const std::vector<bool>& shown = visible[static_cast<std::size_t>(draw.mesh)];
    const bool is_points = mesh->primitive == scene::Primitive::Points;
    const glm::mat4 placed = turn * draw.transform;
    const std::size_t step = is_points ? std::max<std::size_t>(1, mesh->positions.size() / kMaxSamples) : 1;
    for (std::size_t i = 0; i < mesh->positions.size(); i += step) {
      if (!shown.empty() && !shown[i]) continue;
      const glm::vec3 p = glm::vec3(placed * glm::vec4(mesh->positions[i], 1.0f));
      if (!finite(p)) continue;
      if (is_points) {
        scattered.push_back(p);
      } else {
        bounds.add(p);
      }
    }
  }
  add_robust(bounds, scattered, 0.01f, 0.25f);
  // Captured splat scenes keep a sparse shell of background around the subject: frame the dense core.
  std::vector<glm::vec3> splats;
  for (const scene::SplatCloud& cloud : scene.splats) {
    const std::size_t step = std::max<std::size_t>(1, cloud.size() / kMaxSamples);
    for (std::size_t i = 0; i < cloud.size(); i += step) {
      // Faint splats do not define the object's extent.
      const glm::vec3 p = orientation * cloud.positions[i];
      if (cloud.colors[i].a < 0.1f || !finite(p)) continue;
      splats.push_back(p);
    }
  }
  add_robust(bounds, splats, 0.05f, 0.1f);
  return bounds;
}

}  // namespace

scene::Bounds robust_bounds(const scene::Scene& scene, const glm::quat& orientation) {
  return visible_bounds(scene, visible_vertices(scene), orientation);
}

namespace {

// Points the framing must keep in view: mesh vertices (strided to a bounded sample), points and splat centres
// inside the robust bounds (floaters dropped), splats padded by their typical size.
std::vector<glm::vec3> framing_samples(const scene::Scene& scene, const std::vector<std::vector<bool>>& visible,
                                       const scene::Bounds& keep, const glm::quat& orientation) {
  const glm::mat4 turn = glm::mat4_cast(orientation);
  std::size_t total = 0;
  for (const scene::Draw& draw : scene.draws) {
    if (const scene::Mesh* mesh = scene::drawable_mesh(scene, draw)) total += mesh->positions.size();
  }
  for (const scene::SplatCloud& cloud : scene.splats) total += cloud.size();
  const std::size_t step = std::max<std::size_t>(1, total / kMaxSamples);
  const glm::vec3 slack = keep.size() * 0.01f;
  auto inside = [&](const glm::vec3& p) {
    return finite(p) && glm::all(glm::greaterThanEqual(p, keep.min - slack)) &&
           glm::all(glm::lessThanEqual(p, keep.max + slack));
  };
  std::vector<glm::vec3> samples;
  samples.reserve(std::min(total, kMaxSamples * 2) + 8);
  for (const scene::Draw& draw : scene.draws) {
    const scene::Mesh* mesh = scene::drawable_mesh(scene, draw);
    if (!mesh) continue;
    const auto& positions = mesh->positions;
    const std::vector<bool>& shown = visible[static_cast<std::size_t>(draw.mesh)];
    const glm::mat4 placed = turn * draw.transform;
    for (std::size_t i = 0; i < positions.size(); i += step) {
      if (!shown.empty() && !shown[i]) continue;
      const glm::vec3 p = glm::vec3(placed * glm::vec4(positions[i], 1.0f));
      if (inside(p)) samples.push_back(p);
    }
  }
  for (const scene::SplatCloud& cloud : scene.splats) {
    std::vector<float> sizes;
    for (std::size_t i = 0; i < cloud.size(); i += step) {
      const glm::vec3 p = orientation * cloud.positions[i];
      if (cloud.colors[i].a < 0.1f || !inside(p)) continue;
      samples.push_back(p);
      sizes.push_back(std::max({cloud.scales[i].x, cloud.scales[i].y, cloud.scales[i].z}));
    }
    if (sizes.empty()) continue;
    // A Gaussian shows out to about 2 sigma: pad the extremes by the typical splat's reach.
    std::nth_element(sizes.begin(), sizes.begin() + static_cast<long>(sizes.size() / 2), sizes.end());
    const float pad = 2.0f * sizes[sizes.size() / 2];
    scene::Bounds box;
    for (std::size_t i = samples.size() - sizes.size(); i < samples.size(); ++i) box.add(samples[i]);
    for (int c = 0; c < 8; ++c) {
      samples.push_back({c & 1 ? box.max.x + pad : box.min.x - pad, c & 2 ? box.max.y + pad : box.min.y - pad,
                         c & 4 ? box.max.z + pad : box.min.z - pad});
    }
  }
  return samples;
}

}  // namespace

namespace {

// A camera's axes when it looks along `forward` without roll (`world_up` stays above).
struct Axes {
  glm::vec3 forward, right, up;
};

Axes axes_along(const glm::vec3& forward, const glm::vec3& world_up) {
  const glm::vec3 right = glm::normalize(glm::cross(forward, world_up));
  return {forward, right, glm::cross(right, forward)};
}

// The smallest distance along `back` from `centre` at which a camera with `axes` sees every sample inside both
// (filled) fields of view; nullopt when the centre itself is outside them (the axes look too far away).
std::optional<float> fit_distance(const std::vector<glm::vec3>& samples, const glm::vec3& centre, const glm::vec3& back,
                                  const Axes& axes, float tan_h, float tan_v, float least) {
  // The camera at centre + back·d sees q = p − centre at x = x0 − d·bx, y = y0 − d·by, depth z0 + d·k; each of
  // |x| ≤ tan_h·z and |y| ≤ tan_v·z is a pair of linear bounds on d.
  const float k = -glm::dot(back, axes.forward), bx = glm::dot(back, axes.right), by = glm::dot(back, axes.up);
  const float x_plus = tan_h * k + bx, x_minus = tan_h * k - bx, y_plus = tan_v * k + by, y_minus = tan_v * k - by;
  if (std::min({x_plus, x_minus, y_plus, y_minus}) <= 1e-6f) return std::nullopt;
  float distance = least;
  for (const glm::vec3& p : samples) {
    const glm::vec3 q = p - centre;
    const float x0 = glm::dot(q, axes.right), y0 = glm::dot(q, axes.up), z0 = glm::dot(q, axes.forward);
    distance = std::max({distance, (x0 - tan_h * z0) / x_plus, (-x0 - tan_h * z0) / x_minus, (y0 - tan_v * z0) / y_plus,
                         (-y0 - tan_v * z0) / y_minus});
  }
  return distance;
}

// The middle of the samples' extents as seen from `position` (tangents of the angles off `axes.forward`).
glm::vec2 middle_of_view(const std::vector<glm::vec3>& samples, const glm::vec3& position, const Axes& axes) {
  glm::vec2 low(1e30f), high(-1e30f);
  for (const glm::vec3& p : samples) {
    const glm::vec3 d = p - position;
    const float depth = std::max(glm::dot(d, axes.forward), 1e-6f);
    const glm::vec2 seen(glm::dot(d, axes.right) / depth, glm::dot(d, axes.up) / depth);
    low = glm::min(low, seen);
    high = glm::max(high, seen);
  }
  return (low + high) * 0.5f;
}

}  // namespace

ViewCamera auto_frame(const scene::Scene& scene, const CameraAngles& angles, float aspect,
                      const glm::quat& orientation) {
  const std::vector<std::vector<bool>> visible = visible_vertices(scene);
  scene::Bounds bounds = visible_bounds(scene, visible, orientation);
  if (!bounds.valid()) bounds.add(glm::vec3(0.0f));
  const float radius = std::max(glm::length(bounds.size()) * 0.5f, 1e-6f);
  std::vector<glm::vec3> samples = framing_samples(scene, visible, bounds, orientation);
  if (samples.empty()) samples.push_back(bounds.center());

  const float vfov = glm::radians(std::clamp(angles.vfov_degrees, 1.0f, 170.0f));
  const float tan_v = std::tan(vfov * 0.5f) * kFill;
  const float tan_h = std::tan(vfov * 0.5f) * aspect * kFill;

  // The camera stands in the requested direction from the model's centre, so the view is the one asked for (a
  // cube from above shows its top). Perspective and the model's shape make that centre a poor image centre: the
  // camera turns (never moves sideways, which would change what it sees) to centre the samples' extents, and
  // comes as close as every sample allows.
  const glm::vec3 centre = bounds.center();
  const glm::vec3 back = glm::normalize(direction_from(angles));
  const glm::vec3 world_up = std::abs(back.y) > 0.999f ? glm::vec3(0, 0, -1) : glm::vec3(0, 1, 0);
  Axes axes = axes_along(-back, world_up);
  const float least = radius * 0.05f;
  float distance = *fit_distance(samples, centre, back, axes, tan_h, tan_v, least);  // looking at the centre: fits
  for (int pass = 0; pass < 4; ++pass) {
    const glm::vec2 middle = middle_of_view(samples, centre + back * distance, axes);
    const Axes turned = axes_along(glm::normalize(axes.forward + axes.right * middle.x + axes.up * middle.y), world_up);
    const std::optional<float> fitted = fit_distance(samples, centre, back, turned, tan_h, tan_v, least);
    if (!fitted) break;
    axes = turned;
    distance = *fitted;
  }

  ViewCamera camera;
  const glm::vec3 position = centre + back * distance;
  const glm::vec3 target = position + axes.forward * std::max(glm::dot(centre - position, axes.forward), least);
  // Framed in presentation space; drawn in model space: the view turns the model first.
  camera.view = glm::lookAt(position, target, axes.up) * glm::mat4_cast(orientation);
  const float near_plane = std::max(distance - radius * 1.5f, distance * 0.001f);
  const float far_plane = distance + radius * 2.5f;
  camera.projection = glm::perspective(vfov, aspect, near_plane, far_plane);
  const glm::quat back_to_model = glm::inverse(orientation);
  camera.pose = {back_to_model * position, back_to_model * target, back_to_model * axes.up, glm::degrees(vfov)};
  return camera;
}

ViewCamera auto_frame_along(const scene::Scene& scene, const AbsoluteCamera& along, float aspect,
                            const glm::quat& orientation) {
  const glm::vec3 offset = along.position - along.target;
  const glm::vec3 back = glm::length(offset) > 0.0f ? glm::normalize(orientation * offset) : glm::vec3(0, 0, 1);
  CameraAngles angles;
  angles.pitch_degrees = glm::degrees(std::asin(std::clamp(back.y, -1.0f, 1.0f)));
  angles.yaw_degrees = glm::degrees(std::atan2(back.x, back.z));
  angles.vfov_degrees = along.fov_y_degrees;
  return auto_frame(scene, angles, aspect, orientation);
}

ViewCamera authored_camera(const scene::Scene& scene, float aspect) {
  const scene::Camera& source = scene.cameras.front();
  ViewCamera camera;
  camera.authored = true;
  camera.view = glm::inverse(source.world);
  const glm::vec3 position = glm::vec3(source.world[3]);
  const scene::Bounds bounds = robust_bounds(scene);
  float far_plane = source.zfar;
  if (far_plane <= 0.0f && bounds.valid()) {
    far_plane = glm::length(position - bounds.center()) + glm::length(bounds.size()) * 2.0f;
  }
  const float near_plane = std::max(source.znear, far_plane * 1e-5f);
  far_plane = std::max(far_plane, near_plane * 2.0f);
  if (source.perspective) {
    camera.projection = glm::perspective(std::clamp(source.yfov, 0.01f, 3.0f), aspect, near_plane, far_plane);
  } else {
    const float half_height = source.ymag, half_width = source.ymag * aspect;
    camera.projection = glm::ortho(-half_width, half_width, -half_height, half_height, near_plane, far_plane);
  }
  // As an absolute camera: looking at the point of its line of sight nearest the model's centre. An orthographic
  // camera is reported as the perspective one that shows the same height there.
  const glm::vec3 forward = safe_normalize(-glm::vec3(source.world[2]), {0, 0, -1});
  const glm::vec3 up = safe_normalize(glm::vec3(source.world[1]), {0, 1, 0});
  const float depth = target_depth(bounds, position, forward);
  const float fov = source.perspective ? glm::degrees(source.yfov)
                                       : glm::degrees(2.0f * std::atan(source.ymag / std::max(depth, 1e-6f)));
  camera.pose = {position, position + forward * depth, up, std::clamp(fov, 1.0f, 170.0f)};
  return camera;
}

ViewCamera absolute_camera(const scene::Scene& scene, const AbsoluteCamera& wanted, float aspect) {
  AbsoluteCamera pose = wanted;
  glm::vec3 forward = pose.target - pose.position;
  if (!(glm::length(forward) > 0.0f) || !finite(forward)) {  // target on the camera: look down -Z
    forward = {0, 0, -1};
    pose.target = pose.position + forward;
  }
  forward = glm::normalize(forward);
  glm::vec3 up = safe_normalize(pose.up, {0, 1, 0});
  if (std::abs(glm::dot(up, forward)) > 0.9999f)
    up = std::abs(forward.y) < 0.9f ? glm::vec3(0, 1, 0) : glm::vec3(0, 0, -1);
  pose.up = up;
  pose.fov_y_degrees = std::clamp(pose.fov_y_degrees, 1.0f, 170.0f);

  ViewCamera camera;
  camera.view = glm::lookAt(pose.position, pose.target, up);
  scene::Bounds bounds = robust_bounds(scene);
  if (!bounds.valid()) bounds.add(glm::vec3(0.0f));
  const float radius = std::max(glm::length(bounds.size()) * 0.5f, 1e-6f);
  const float distance = glm::length(bounds.center() - pose.position);
  const float far_plane = distance + radius * 2.5f;
  const float near_plane = std::max(distance - radius * 1.5f, far_plane * 1e-4f);
  camera.projection = glm::perspective(glm::radians(pose.fov_y_degrees), aspect, near_plane, far_plane);
  camera.pose = pose;
  return camera;
}

ViewCamera presentation_camera(const scene::Scene& scene, const PresentationCamera& presented, float aspect,
                               const glm::quat& orientation) {
  // The gallery's camera lives in presentation space; bring it back to the model's space as loaded.
  const glm::quat back_to_model = glm::inverse(orientation);
  const glm::quat rotation = back_to_model * glm::normalize(presented.rotation);
  AbsoluteCamera pose;
  pose.position = back_to_model * presented.translation;
  pose.up = rotation * glm::vec3(0, 1, 0);
  pose.fov_y_degrees = presented.fov_y_degrees;
  const glm::vec3 forward = rotation * glm::vec3(0, 0, -1);
  if (presented.pivot && glm::length(*presented.pivot - presented.translation) > 0.0f) {
    pose.target = back_to_model * *presented.pivot;
  } else {
    pose.target = pose.position + forward * target_depth(robust_bounds(scene), pose.position, forward);
  }
  ViewCamera camera = absolute_camera(scene, pose, aspect);
  camera.authored = true;
  return camera;
}

}  // namespace thumbgen::render
