// The C API the browser calls (through web/thumbgen.mjs): one WebGL2 context and one Renderer for the page's
// lifetime, model files handed in as bytes, RGBA pixels handed back. A model can be loaded once and kept (a scene
// handle) to render it many times: a preview, an orbit view, a re-render with another camera. Every call returns 0
// (or a handle) on success or -1 with thumbgen_last_error() saying why; no C++ exception ever crosses into JS.
#include <emscripten/emscripten.h>
#include <malloc.h>

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "browser_image_decoder.h"
#include "memory_files.h"
#include "render/render_settings.h"
#include "render/renderer.h"
#include "render/thumbnail_rules.h"
#include "scene/load.h"
#include "webgl_context.h"

namespace {

using thumbgen::render::Renderer;
using thumbgen::render::Thumbnail;
using thumbgen::render::ViewOptions;
using thumbgen::scene::LoadLimits;

using json = nlohmann::json;

struct State {
  std::unique_ptr<thumbgen::web::WebGlContext> context;
  std::unique_ptr<Renderer> renderer;
  LoadLimits limits;
  thumbgen::web::MemoryFiles files{limits.max_file_bytes};
  thumbgen::web::BrowserImageDecoder images;
  std::map<int, thumbgen::scene::Scene> scenes;  // loaded models by handle
  int next_handle = 1;
  thumbgen::scene::Image pixels;
  std::string result_json = "{}";
  std::string error;
};

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Loads `main_file` from the handed-in files (textures capped for `view`'s size), then forgets the files.
thumbgen::scene::Scene load_main_file(State& s, const std::string& main, const ViewOptions& view) {
  struct ForgetFiles {
    State& s;
    ~ForgetFiles() { s.files.clear(); }
  } forget{s};
  const auto slash = main.find_last_of("/\\");
  s.files.set_base_folder(slash == std::string::npos ? "" : main.substr(0, slash));
  return thumbgen::scene::load_scene(slash == std::string::npos ? main : main.substr(slash + 1), s.files, s.images,
                                     thumbgen::render::thumbnail_load_limits(s.limits, view));
}

std::vector<std::string> scene_warnings(const thumbgen::scene::Scene& scene) {
  std::vector<std::string> warnings;
  for (const std::string& warning : scene.warnings) warnings.push_back(thumbgen::render::bounded_reason(warning));
  return warnings;
}

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
    ViewOptions options;
    options.width = width;
    options.height = height;
    options.background = {background_r, background_g, background_b, background_a};

    const double start = emscripten_get_now();
    const thumbgen::scene::Scene scene = load_main_file(s, main_file, options);
    const double loaded = emscripten_get_now();
    s.context->make_current();
    Thumbnail thumbnail = thumbgen::render::render_thumbnail(*s.renderer, scene, options);
    const double rendered = emscripten_get_now();
    if (thumbnail.problem) throw thumbgen::scene::LoadError(*thumbnail.problem);

    std::vector<std::string> warnings = scene_warnings(scene);
    warnings.insert(warnings.end(), thumbnail.warnings.begin(), thumbnail.warnings.end());
    s.pixels = std::move(thumbnail.image);
    s.result_json = dump({{"format", scene.format},
                          {"triangles", scene.triangle_count()},
                          {"warnings", warnings},
                          {"authored_camera", thumbnail.authored_camera},
                          {"camera_used", thumbgen::render::camera_to_json(thumbnail.camera_used)},
                          {"camera_source", thumbgen::render::camera_source_name(thumbnail.camera_source)},
                          {"load_ms", loaded - start},
                          {"render_ms", rendered - loaded}});
  });
}

// Loads `main_file` from the handed-in files and keeps the scene; returns its handle (> 0), or -1. The files are
// forgotten either way. `settings_json` ({"width","height"}, may be empty) sizes the texture cap like a render of
// that size. The load's {"format","triangles","warnings","has_camera","load_ms"} are at thumbgen_result_json().
EMSCRIPTEN_KEEPALIVE int thumbgen_load(const char* main_file, const char* settings_json) {
  int handle = -1;
  const int status = guarded("load", [&](State& s) {
    if (!main_file) throw std::invalid_argument("null main file");
    s.result_json = "{}";
    const json settings = json::parse(settings_json && *settings_json ? settings_json : "null");
    const ViewOptions view = thumbgen::render::read_render_settings(settings, ViewOptions{}).view;
    const double start = emscripten_get_now();
    thumbgen::scene::Scene scene = load_main_file(s, main_file, view);
    s.result_json = dump({{"format", scene.format},
                          {"triangles", scene.triangle_count()},
                          {"warnings", scene_warnings(scene)},
                          {"has_camera", !scene.cameras.empty()},
                          {"load_ms", emscripten_get_now() - start}});
    handle = s.next_handle++;
    s.scenes.emplace(handle, std::move(scene));
  });
  return status == 0 ? handle : -1;
}

// Renders a kept scene with `settings_json` (render/render_settings.h: width, height, background, camera,
// presentation) under the thumbnail rules. A frame the quality gate refuses is still returned, with its reason in
// "problem" (a preview shows it; a thumbnail run must not upload it). Result JSON: {"camera_used", "camera_source",
// "problem", "warnings", "render_ms"}; pixels at thumbgen_pixels().
EMSCRIPTEN_KEEPALIVE int thumbgen_render_scene(int handle, const char* settings_json) {
  return guarded("render", [&](State& s) {
    if (!s.renderer) throw std::runtime_error("not initialised");
    auto found = s.scenes.find(handle);
    if (found == s.scenes.end()) throw std::invalid_argument("no loaded scene " + std::to_string(handle));
    s.pixels = {};
    s.result_json = "{}";
    const json settings = json::parse(settings_json && *settings_json ? settings_json : "null");
    thumbgen::render::RenderSettings view = thumbgen::render::read_render_settings(settings, ViewOptions{});
    const double start = emscripten_get_now();
    s.context->make_current();
    Thumbnail thumbnail = thumbgen::render::render_thumbnail(*s.renderer, found->second, view.view);
    std::vector<std::string> warnings = std::move(view.warnings);
    warnings.insert(warnings.end(), thumbnail.warnings.begin(), thumbnail.warnings.end());
    s.pixels = std::move(thumbnail.image);
    s.result_json = dump({{"camera_used", thumbgen::render::camera_to_json(thumbnail.camera_used)},
                          {"camera_source", thumbgen::render::camera_source_name(thumbnail.camera_source)},
                          {"problem", thumbnail.problem ? json(*thumbnail.problem) : json(nullptr)},
                          {"warnings", warnings},
                          {"render_ms", emscripten_get_now() - start}});
  });
}

// Forgets a kept scene (unknown handles are ignored).
EMSCRIPTEN_KEEPALIVE void thumbgen_unload(int handle) {
  state().scenes.erase(handle);
  state().pixels = {};
}

// Bytes of the WASM heap in use by allocations now (the heap itself, which never shrinks, is memory.buffer's size).
EMSCRIPTEN_KEEPALIVE double thumbgen_heap_used() { return static_cast<double>(mallinfo().uordblks); }

EMSCRIPTEN_KEEPALIVE const std::uint8_t* thumbgen_pixels() { return state().pixels.rgba.data(); }
EMSCRIPTEN_KEEPALIVE int thumbgen_width() { return state().pixels.width; }
EMSCRIPTEN_KEEPALIVE int thumbgen_height() { return state().pixels.height; }
// The last call's result: thumbgen_render's {"format", "triangles", "warnings", "authored_camera", "camera_used",
// "camera_source", "load_ms", "render_ms"}, thumbgen_load's or thumbgen_render_scene's (see there).
EMSCRIPTEN_KEEPALIVE const char* thumbgen_result_json() { return state().result_json.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* thumbgen_last_error() { return state().error.c_str(); }

}  // extern "C"
