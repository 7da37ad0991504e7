// render::GlContext for a WebGL2 context on a canvas or OffscreenCanvas (the browser build's EGL).
#pragma once

#include <emscripten/html5_webgl.h>

#include <string>

#include "render/gl_context.h"

namespace thumbgen::web {

class WebGlContext final : public render::GlContext {
 public:
  // `canvas_target` is a CSS selector ("#thumbgen") or a name registered in Module.specialHTMLTargets, which is
  // how JS hands in an OffscreenCanvas (workers have no document to query). Throws std::runtime_error when the
  // browser gives no WebGL2 context.
  explicit WebGlContext(const std::string& canvas_target);
  ~WebGlContext() override;
  WebGlContext(const WebGlContext&) = delete;
  WebGlContext& operator=(const WebGlContext&) = delete;

  void make_current() override;
  std::string description() const override;  // "WebGL 2.0 (OpenGL ES 3.0 Chromium); ANGLE (...)"

 private:
  EMSCRIPTEN_WEBGL_CONTEXT_HANDLE handle_ = 0;
  std::string description_;
};

}  // namespace thumbgen::web
