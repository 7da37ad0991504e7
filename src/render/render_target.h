// The offscreen target every thumbnail is drawn into (never the default framebuffer: no black captures):
// an sRGB colour + depth buffer, multisampled and resolved into a single-sample buffer for readback when
// samples > 1 (GPUs), single-sampled otherwise (software GL anti-aliases on the CPU, see post_aa.h).
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

  // (Re)allocates when the size or sample count changes; kept across assets of a batch otherwise.
  void bind(int width, int height, int samples);
  // Resolves the samples and reads the sRGB pixels back, top row first.
  scene::Image read_back();

 private:
  void release();
  int width_ = 0, height_ = 0, samples_ = -1;
  GLuint draw_fbo_ = 0, resolve_fbo_ = 0;
  GLuint color_rb_ = 0, depth_rb_ = 0, resolve_rb_ = 0;
};

}  // namespace thumbgen::render
