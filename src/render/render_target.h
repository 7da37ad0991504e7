// The offscreen target every thumbnail is drawn into (never the default framebuffer: no black captures):
// an sRGB (or, for splats alone, plain RGBA8) colour + depth buffer, multisampled and resolved into a single-sample
// buffer for readback when samples > 1 (GPUs), single-sampled otherwise (software GL anti-aliases on the CPU, see
// post_aa.h).
#pragma once

#include <GLES3/gl3.h>

#include "scene/scene.h"

namespace thumbgen::render {

class RenderTarget {
 public:
  RenderTarget() = default;
  ~RenderTarget();
  RenderTarget(const RenderTarget&) = delete;
  RenderTarget& operator=(const RenderTarget&) = delete;

  // (Re)allocates when the size, sample count or colour format changes; kept across assets of a batch otherwise.
  void bind(int width, int height, int samples, bool srgb = true);
  // Resolves the samples and reads the pixels back, top row first.
  scene::Image read_back();

 private:
  void release();
  int width_ = 0, height_ = 0, samples_ = -1;
  bool srgb_ = true;
  GLuint draw_fbo_ = 0, resolve_fbo_ = 0;
  GLuint color_rb_ = 0, depth_rb_ = 0, resolve_rb_ = 0;
};

}  // namespace thumbgen::render
