// Where to put the camera: the asset's own camera, or an auto-frame that fits the model in both fields of view.
#pragma once

#include "render/view.h"
#include "scene/scene.h"

namespace thumbgen::render {

struct ViewCamera {
  glm::mat4 view{1.0f};
  glm::mat4 projection{1.0f};
  glm::vec3 position{0.0f};
  bool authored = false;  // came from the asset rather than auto-framing
};

// Bounds that ignore far outliers (stray points, splat floaters): per axis, the range holding the central
// 98 % of the sampled points when there are many; the exact box otherwise.
scene::Bounds robust_bounds(const scene::Scene& scene);

// Fits the robust bounding sphere inside both the vertical and horizontal FOV with a small margin.
ViewCamera auto_frame(const scene::Scene& scene, const CameraAngles& angles, float aspect);

// Auto-framing from the direction and field of view an authored camera looks along (its roll is dropped):
// keeps the author's viewpoint when their camera leaves the model small or off-centre.
ViewCamera auto_frame_along(const scene::Scene& scene, const scene::Camera& authored, float aspect);

// The asset's first camera with the output's aspect ratio.
ViewCamera authored_camera(const scene::Scene& scene, float aspect);

}  // namespace thumbgen::render
