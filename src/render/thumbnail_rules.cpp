#include "render/thumbnail_rules.h"

#include <algorithm>
#include <bit>

#include "render/camera_choice.h"
#include "render/framing.h"
#include "render/quality_gate.h"

namespace thumbgen::render {
namespace {

// An authored view whose content spans less than this fraction of the frame (both ways) is re-framed.
constexpr float kSmallAuthoredView = 0.4f;
constexpr std::size_t kMaxReasonBytes = 300;

}  // namespace

scene::LoadLimits thumbnail_load_limits(scene::LoadLimits limits, const ViewOptions& view) {
  const unsigned side = static_cast<unsigned>(std::max({view.width, view.height, 1}));
  const int wanted = std::max(512, static_cast<int>(std::bit_ceil(side) / 2));
  limits.max_texture_dimension = std::min(limits.max_texture_dimension, wanted);
  return limits;
}

Thumbnail render_thumbnail(Renderer& renderer, const scene::Scene& scene, const ViewOptions& requested) {
  ViewOptions view = requested;
  if (!view.background_chosen && scene.background) view.background = *scene.background;
  RenderResult rendered = renderer.render(scene, view);
  Thumbnail thumbnail;
  thumbnail.authored_camera = rendered.authored_camera;
  thumbnail.camera_source = rendered.camera_source;
  thumbnail.camera_used = rendered.camera.pose;
  // Cameras someone placed may crop on purpose; auto-framing must not.
  const bool placed = rendered.authored_camera || rendered.camera_source == CameraSource::Saved;
  thumbnail.problem = check_quality(rendered.image, view.background, {.check_clipping = !placed});
  if (rendered.authored_camera) {
    const float aspect = static_cast<float>(view.width) / static_cast<float>(view.height);
    const ContentBox box = content_box(rendered.image, view.background);
    const bool small = !box.empty && std::max(box.right - box.left, box.bottom - box.top) < kSmallAuthoredView;
    if (thumbnail.problem || small) {
      // The asset's own camera shows nothing useful (looking away, inside the model) or leaves the model tiny:
      // frame the model ourselves, from the author's direction when it is visible at all.
      const glm::quat orientation = model_orientation(view, scene);
      AbsoluteCamera along = rendered.camera.pose;
      const bool orthographic = rendered.camera_source == CameraSource::Authored && !scene.cameras.front().perspective;
      if (orthographic) along.fov_y_degrees = kDefaultAngles.vfov_degrees;
      const ViewCamera camera = thumbnail.problem ? auto_frame(scene, kDefaultAngles, aspect, orientation)
                                                  : auto_frame_along(scene, along, aspect, orientation);
      rendered.image = renderer.render_with_camera(scene, camera, view);
      thumbnail.problem = check_quality(rendered.image, view.background, {.check_clipping = true});
      const std::string whose = rendered.camera_source == CameraSource::Presentation
                                    ? "the gallery's presentation camera"
                                    : "the asset's own camera";
      thumbnail.warnings.push_back(small ? whose + " left the model small; re-framed along it"
                                         : whose + " showed nothing useful; auto-framed instead");
      thumbnail.camera_used = camera.pose;
      thumbnail.camera_source = CameraSource::Auto;
    }
  }
  if (up_axis_overridden(view)) {
    thumbnail.warnings.push_back(std::string("up ") + scene::up_axis_name(*view.up) +
                                 " ignored: the gallery's orientingRotation turns this model");
  }
  thumbnail.image = std::move(rendered.image);
  return thumbnail;
}

std::string bounded_reason(std::string message) {
  if (message.size() <= kMaxReasonBytes) return message;
  std::size_t end = kMaxReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
  message.resize(end);
  return message + "...";
}

}  // namespace thumbgen::render
