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
  bool authored_camera = false;        // the first frame used the asset's own camera
};

// Renders `scene` as a thumbnail: with the asset's own camera when it has one (re-framed when that view shows
// nothing useful or leaves the model small), else auto-framed; then the quality gate. Throws what Renderer throws.
Thumbnail render_thumbnail(Renderer& renderer, const scene::Scene& scene, const ViewOptions& view);

// A reason or warning cut to one log line's worth (300 bytes, on a UTF-8 boundary, "..." appended): library
// messages may quote their input, e.g. a JSON parse error quoting megabytes of a truncated data URI.
std::string bounded_reason(std::string message);

}  // namespace thumbgen::render
