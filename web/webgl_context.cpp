#include "webgl_context.h"

#include <GLES3/gl3.h>

#include <stdexcept>

namespace thumbgen::web {
namespace {

constexpr GLenum kUnmaskedRendererWebgl = 0x9246;  // WEBGL_debug_renderer_info

std::string gl_string(GLenum name) {
  const auto* text = reinterpret_cast<const char*>(glGetString(name));
  return text ? text : "";
}

}  // namespace

WebGlContext::WebGlContext(const std::string& canvas_target) {
  EmscriptenWebGLContextAttributes attributes;
  emscripten_webgl_init_context_attributes(&attributes);
  attributes.majorVersion = 2;
  attributes.minorVersion = 0;
  // The renderer draws into its own framebuffer objects (with their own MSAA) and reads them back, so the
  // canvas's default framebuffer needs nothing.
  attributes.alpha = false;
  attributes.depth = false;
  attributes.stencil = false;
  attributes.antialias = false;
  attributes.premultipliedAlpha = false;
  attributes.preserveDrawingBuffer = false;
  attributes.powerPreference = EM_WEBGL_POWER_PREFERENCE_HIGH_PERFORMANCE;
  attributes.failIfMajorPerformanceCaveat = false;  // SwiftShader / llvmpipe are fine for thumbnails
  attributes.enableExtensionsByDefault = true;

  handle_ = emscripten_webgl_create_context(canvas_target.c_str(), &attributes);
  if (handle_ <= 0) {
    throw std::runtime_error("no WebGL2 context on canvas '" + canvas_target + "' (error " + std::to_string(handle_) +
                             ")");
  }
  make_current();
  description_ = gl_string(GL_VERSION);
  if (emscripten_webgl_enable_extension(handle_, "WEBGL_debug_renderer_info")) {
    description_ += "; " + gl_string(kUnmaskedRendererWebgl);
  } else {
    description_ += "; " + gl_string(GL_RENDERER);
  }
}

WebGlContext::~WebGlContext() {
  if (handle_ > 0) emscripten_webgl_destroy_context(handle_);
}

void WebGlContext::make_current() {
  if (emscripten_webgl_make_context_current(handle_) != EMSCRIPTEN_RESULT_SUCCESS) {
    throw std::runtime_error("cannot make the WebGL2 context current (context lost?)");
  }
}

std::string WebGlContext::description() const { return description_; }

}  // namespace thumbgen::web
