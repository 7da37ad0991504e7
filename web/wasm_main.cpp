// The C API the browser calls (through web/thumbgen.mjs): one WebGL2 context and one Renderer for the page's
// lifetime, model files handed in as bytes, RGBA pixels handed back. Every call returns 0 on success or -1 with
// thumbgen_last_error() saying why; no C++ exception ever crosses into JS.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "browser_image_decoder.h"
#include "memory_files.h"
#include "render/renderer.h"
#include "render/thumbnail_rules.h"
#include "scene/load.h"
#include "webgl_context.h"

namespace {

using thumbgen::render::Renderer;
using thumbgen::render::Thumbnail;
using thumbgen::render::ViewOptions;
using thumbgen::scene::LoadLimits;

struct State {
  std::unique_ptr<thumbgen::web::WebGlContext> context;
  std::unique_ptr<Renderer> renderer;
  LoadLimits limits;
  thumbgen::web::MemoryFiles files{limits.max_file_bytes};
  thumbgen::web::BrowserImageDecoder images;
  thumbgen::scene::Image pixels;
  std::string result_json = "{}";
  std::string error;
};

State& state() {
  static State instance;
  return instance;
}

// Runs `body`, turning any exception into -1 and the error text.
template <typename Body>
int guarded(const char* what, Body&& body) {
  State& s = state();
  s.error.clear();
  try {
    body(s);
    return 0;
  } catch (const thumbgen::scene::LoadError& e) {
    s.error = thumbgen::render::bounded_reason(e.what());
  } catch (const std::bad_alloc&) {
    s.error = std::string(what) + ": out of memory";
  } catch (const std::exception& e) {
    s.error = thumbgen::render::bounded_reason(std::string(what) + ": " + e.what());
  }
  return -1;
}

}  // namespace

extern "C" {

// Creates the WebGL2 context on `canvas_target` (CSS selector, or a name registered in specialHTMLTargets for an
// OffscreenCanvas) and compiles the renderer's programs. Call once.
EMSCRIPTEN_KEEPALIVE int thumbgen_init(const char* canvas_target) {
  return guarded("init", [&](State& s) {
    if (s.renderer) throw std::runtime_error("already initialised");
    s.context = std::make_unique<thumbgen::web::WebGlContext>(canvas_target ? canvas_target : "");
    s.renderer = std::make_unique<Renderer>(*s.context);
  });
}

// "WebGL 2.0 (OpenGL ES 3.0 Chromium); ANGLE (...)" once initialised.
EMSCRIPTEN_KEEPALIVE const char* thumbgen_gpu_description() {
  static std::string description;
  description = state().context ? state().context->description() : "";
  return description.c_str();
}

// Hands in one file of the model (copied; the caller frees `bytes`).
EMSCRIPTEN_KEEPALIVE int thumbgen_add_file(const char* path, const std::uint8_t* bytes, std::size_t size) {
  return guarded("add file", [&](State& s) {
    if (!path || (!bytes && size > 0)) throw std::invalid_argument("null argument");
    s.files.add(path, std::vector<std::uint8_t>(bytes, bytes + size));
  });
}

// Forgets the handed-in files and the last pixels (memory must not grow per asset).
EMSCRIPTEN_KEEPALIVE void thumbgen_clear() {
  State& s = state();
  s.files.clear();
  s.pixels = {};
  s.result_json = "{}";
}

// Loads `main_file` from the handed-in files and renders it under the thumbnail rules native applies (textures
// capped to the output, a useless authored camera re-framed, blank / uniform / clipped frames refused with their
// reason): background is sRGB, alpha 0 = transparent. On success the pixels are at thumbgen_pixels() (width ×
// height × 4, row 0 at the top); a refused frame is an error, never pixels.
EMSCRIPTEN_KEEPALIVE int thumbgen_render(const char* main_file, int width, int height, float background_r,
                                         float background_g, float background_b, float background_a) {
  return guarded("render", [&](State& s) {
    if (!s.renderer) throw std::runtime_error("not initialised");
    if (!main_file || width < 1 || height < 1 || width > 4096 || height > 4096) {
      throw std::invalid_argument("bad main file or size (1..4096)");
    }
    s.pixels = {};
    s.result_json = "{}";
    const std::string main(main_file);
    const auto slash = main.find_last_of("/\\");
    s.files.set_base_folder(slash == std::string::npos ? "" : main.substr(0, slash));
    ViewOptions options;
    options.width = width;
    options.height = height;
    options.background = {background_r, background_g, background_b, background_a};

    const double start = emscripten_get_now();
    const thumbgen::scene::Scene scene =
        thumbgen::scene::load_scene(slash == std::string::npos ? main : main.substr(slash + 1), s.files, s.images,
                                    thumbgen::render::thumbnail_load_limits(s.limits, options));
    const double loaded = emscripten_get_now();
    s.context->make_current();
    Thumbnail thumbnail = thumbgen::render::render_thumbnail(*s.renderer, scene, options);
    const double rendered = emscripten_get_now();
    if (thumbnail.problem) throw thumbgen::scene::LoadError(*thumbnail.problem);

    std::vector<std::string> warnings;
    for (const std::string& warning : scene.warnings) warnings.push_back(thumbgen::render::bounded_reason(warning));
    warnings.insert(warnings.end(), thumbnail.warnings.begin(), thumbnail.warnings.end());
    s.pixels = std::move(thumbnail.image);
    s.result_json = nlohmann::json{{"format", scene.format},    {"triangles", scene.triangle_count()},
                                   {"warnings", warnings},      {"authored_camera", thumbnail.authored_camera},
                                   {"load_ms", loaded - start}, {"render_ms", rendered - loaded}}
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  });
}

EMSCRIPTEN_KEEPALIVE const std::uint8_t* thumbgen_pixels() { return state().pixels.rgba.data(); }
EMSCRIPTEN_KEEPALIVE int thumbgen_width() { return state().pixels.width; }
EMSCRIPTEN_KEEPALIVE int thumbgen_height() { return state().pixels.height; }
// {"format", "triangles", "warnings", "authored_camera", "load_ms", "render_ms"} of the last render.
EMSCRIPTEN_KEEPALIVE const char* thumbgen_result_json() { return state().result_json.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* thumbgen_last_error() { return state().error.c_str(); }

}  // extern "C"
