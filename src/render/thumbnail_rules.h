// The thumbnail rules every build applies, native render processes and the WebAssembly worker alike: textures
// capped to what the output can show, an authored camera that shows nothing useful re-framed, and a frame that is
// blank, uniform or clipped refused instead of becoming a thumbnail. One home, so a browser can never upload a
// frame that `thumbgen render` would refuse.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "render/renderer.h"
#include "render/view.h"
#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::render {

// `limits` with textures capped for this output: half the next power of two above the output's larger side
// (1024 for 1280×720), never below 512 nor above the caller's own limit.
scene::LoadLimits thumbnail_load_limits(scene::LoadLimits limits, const ViewOptions& view);

struct Thumbnail {
  scene::Image image;                  // the frame; a thumbnail only when `problem` is empty
  std::optional<std::string> problem;  // why the frame is refused ("blank render: ...", "object clipped ...")
  std::vector<std::string> warnings;   // e.g. the asset's own camera was replaced
  bool authored_camera = false;        // the first frame used the asset's own (or the gallery's) camera
  // The camera of the frame as an absolute camera in the model's space: rendering again with it as the saved
  // camera gives this frame again ("use this camera").
  AbsoluteCamera camera_used;
  CameraSource camera_source = CameraSource::Auto;  // where camera_used came from (auto after a re-frame)
};

// Renders `scene` as a thumbnail with the camera camera_choice.h picks, then the quality gate. A saved camera is
// kept as it is (a refused frame stays refused: a person chose that view); the asset's own or the gallery's camera
// is re-framed when it shows nothing useful or leaves the model small. The model's own background (Scene::background)
// replaces the view's unless the caller chose that one. Throws what Renderer throws.
Thumbnail render_thumbnail(Renderer& renderer, const scene::Scene& scene, const ViewOptions& view);

// A reason or warning cut to one log line's worth (300 bytes, on a UTF-8 boundary, "..." appended): library
// messages may quote their input, e.g. a JSON parse error quoting megabytes of a truncated data URI.
std::string bounded_reason(std::string message);

}  // namespace thumbgen::render
