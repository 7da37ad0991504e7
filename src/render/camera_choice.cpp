#include "render/camera_choice.h"

#include <algorithm>
#include <cmath>

namespace thumbgen::render {

namespace {

bool turns(const glm::quat& rotation) { return std::abs(std::abs(rotation.w) - 1.0f) > 1e-6f; }

}  // namespace

glm::quat model_orientation(const ViewOptions& view, const scene::Scene& scene) {
  if (turns(view.presentation.orienting_rotation)) return view.presentation.orienting_rotation;
  if (view.up) return scene::upright_rotation(*view.up);
  return scene.upright.value_or(glm::quat(1.0f, 0.0f, 0.0f, 0.0f));
}

bool up_axis_overridden(const ViewOptions& view) {
  return view.up.has_value() && turns(view.presentation.orienting_rotation);
}

const char* camera_source_name(CameraSource source) {
  switch (source) {
    case CameraSource::Saved:
      return "saved";
    case CameraSource::Run:
      return "run";
    case CameraSource::Presentation:
      return "presentation";
    case CameraSource::Authored:
      return "authored";
    case CameraSource::Auto:
      break;
  }
  return "auto";
}

CameraSource choose_camera_source(const ViewOptions& view, const scene::Scene& scene) {
  if (view.saved_camera) return CameraSource::Saved;
  if (view.camera) return CameraSource::Run;
  if (view.presentation.camera) return CameraSource::Presentation;
  if (!scene.cameras.empty()) return CameraSource::Authored;
  return CameraSource::Auto;
}

ViewCamera camera_for(CameraSource source, const scene::Scene& scene, const ViewOptions& view) {
  const float aspect = static_cast<float>(view.width) / static_cast<float>(std::max(view.height, 1));
  const glm::quat orientation = model_orientation(view, scene);
  switch (source) {
    case CameraSource::Saved:
      if (view.saved_camera) return absolute_camera(scene, *view.saved_camera, aspect);
      break;
    case CameraSource::Run:
      if (view.camera) return auto_frame(scene, *view.camera, aspect, orientation);
      break;
    case CameraSource::Presentation:
      if (view.presentation.camera)
        return presentation_camera(scene, *view.presentation.camera, aspect, view.presentation.orienting_rotation);
      break;
    case CameraSource::Authored:
      if (!scene.cameras.empty()) return authored_camera(scene, aspect);
      break;
    case CameraSource::Auto:
      break;
  }
  return auto_frame(scene, kDefaultAngles, aspect, orientation);
}

}  // namespace thumbgen::render
