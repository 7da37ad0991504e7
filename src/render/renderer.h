// GLES 3.0 renderer: Scene + view → RGBA pixels. One instance per context; compiled programs live as long as it
// does, everything uploaded for an asset is released before render() returns (memory must not grow per asset).
#pragma once

#include <memory>
#include <string>

#include "render/framing.h"
#include "render/gl_context.h"
#include "render/view.h"
#include "scene/scene.h"

namespace thumbgen::render {

struct RenderResult {
  scene::Image image;  // width × height RGBA, row 0 at the top
  ViewCamera camera;   // the camera it was drawn with (camera.pose: as an absolute camera)
  CameraSource camera_source = CameraSource::Auto;
  bool authored_camera = false;  // the camera came from the asset (its own or the gallery's presentation camera)
};

class Renderer {
 public:
  explicit Renderer(GlContext& context);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // With the camera choose_camera_source picks (camera_choice.h).
  RenderResult render(const scene::Scene& scene, const ViewOptions& options);
  // Draws a small scene that uses every pipeline state the renderer has (lit/flat/unlit, textures, mask, blend,
  // additive, points, lines, culling, splats), so the driver's shader variants are compiled once at start-up
  // instead of inside the first assets' time (llvmpipe JIT-compiles a variant per state: 50-700 ms each).
  void warm_up(const ViewOptions& options);
  // Renders with an explicit camera (used by the pipeline to retry an authored view with auto-framing).
  scene::Image render_with_camera(const scene::Scene& scene, const ViewCamera& camera, const ViewOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace thumbgen::render
