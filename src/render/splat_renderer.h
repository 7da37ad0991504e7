// Gaussian splats drawn the way the common WebGL splat viewers do it: CPU back-to-front sort (16-bit counting
// sort on view depth), per-splat 3D covariance projected to a screen ellipse (EWA, Jacobian of the projection),
// one instanced quad per splat with a Gaussian falloff, premultiplied-alpha blending. GLSL ES 3.00 only.
#pragma once

#include <cstddef>
#include <glm/glm.hpp>
#include <memory>

#include "scene/scene.h"

namespace thumbgen::render {

// What the last draw() did, for benchmarks (CPU times; the GPU work itself is timed by the caller with glFinish).
struct SplatDrawStats {
  std::size_t input = 0;  // splats in the cloud
  std::size_t drawn = 0;  // after culling (behind the camera, off screen, transparent)
  double project_ms = 0;  // view depth + culling
  double sort_ms = 0;     // counting sort
  double ellipse_ms = 0;  // covariance projection and instance data
  double upload_ms = 0;   // buffer creation and upload
  double submit_ms = 0;   // draw call issue (not completion)
};

// How splats meet the rest of the frame.
enum class SplatCompositing {
  // Splats alone, into a plain RGBA8 target: display colours blended as they are, like the 3DGS reference
  // rasteriser and web viewers (the space the scenes were trained in), and no depth test (an empty depth buffer
  // rejects nothing; reading it is 10 % of a splat scene). Also 12 % faster than blending into sRGB.
  Alone,
  // Among meshes, into the sRGB target: colours linearised like the meshes', the depth test hides splats
  // behind meshes.
  AmongMeshes,
};

class SplatRenderer {
 public:
  SplatRenderer();  // compiles the program: needs a current GLES 3 context; throws std::runtime_error
  ~SplatRenderer();
  SplatRenderer(const SplatRenderer&) = delete;
  SplatRenderer& operator=(const SplatRenderer&) = delete;

  // Draws into the bound framebuffer (with depth; see SplatCompositing for its colour format). Depth writes off.
  // GL state is restored afterwards; per-draw buffers are deleted before returning.
  void draw(const scene::SplatCloud& cloud, const glm::mat4& view, const glm::mat4& projection, int viewport_width,
            int viewport_height, SplatCompositing compositing);

  const SplatDrawStats& last_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace thumbgen::render
