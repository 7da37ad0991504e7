// Where to put the camera: an absolute camera, the gallery's presentation camera, the asset's own camera, or an
// auto-frame that fits the model in both fields of view. Auto-framing happens in presentation space (the model
// turned by the presentation's orienting rotation, +Y up); every ViewCamera's view matrix includes that turn, so
// the renderer draws the model as loaded.
#pragma once

#include "render/view.h"
#include "scene/scene.h"

namespace thumbgen::render {

struct ViewCamera {
  glm::mat4 view{1.0f};  // model space as loaded → eye
  glm::mat4 projection{1.0f};
  AbsoluteCamera pose;    // the same camera in the model's space as loaded: what "use this camera" stores
  bool authored = false;  // came from the asset rather than auto-framing
};

// Bounds of what is drawn (visible_vertices: no zero-area or fully transparent triangles, no unused vertices) that
// ignore far outliers (stray points, splat floaters): per axis, the range holding the central 98 % of the sampled
// points when there are many; the exact box of mesh vertices.
// `orientation` turns the model first (the bounds are then those of the turned model).
scene::Bounds robust_bounds(const scene::Scene& scene, const glm::quat& orientation = glm::quat(1, 0, 0, 0));

// The camera at `angles` from the centre of the robust bounds, turned to centre the drawn geometry and as close as
// fits it inside both the vertical and horizontal FOV with a small margin; the angles are in presentation space
// (the model turned by `orientation`).
ViewCamera auto_frame(const scene::Scene& scene, const CameraAngles& angles, float aspect,
                      const glm::quat& orientation = glm::quat(1, 0, 0, 0));

// Auto-framing from the direction and field of view an authored camera looks along (its roll is dropped):
// keeps the author's viewpoint when their camera leaves the model small or off-centre.
ViewCamera auto_frame_along(const scene::Scene& scene, const AbsoluteCamera& along, float aspect,
                            const glm::quat& orientation = glm::quat(1, 0, 0, 0));

// The asset's first camera with the output's aspect ratio (it belongs to the model: the orientation turns it too).
ViewCamera authored_camera(const scene::Scene& scene, float aspect);

// Exactly `camera` (model space), with near and far planes fitted to the model.
ViewCamera absolute_camera(const scene::Scene& scene, const AbsoluteCamera& camera, float aspect);

// The gallery's camera (presentation space) for the model turned by `orientation`.
ViewCamera presentation_camera(const scene::Scene& scene, const PresentationCamera& camera, float aspect,
                               const glm::quat& orientation);

}  // namespace thumbgen::render
