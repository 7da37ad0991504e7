// Options of `thumbgen render` (its rendering options `work` takes too): the strings as typed (bound to CLI11)
// and their validated, parsed form.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <glm/glm.hpp>
#include <string>
#include <vector>

#include "platform/pipeline.h"
#include "render/view.h"

namespace CLI {
class App;
}

namespace thumbgen::cli {

// A hostile model must not take the machine's memory: by default each model may use 4 GiB on top of the
// renderer. AddressSanitizer reserves terabytes of address space, so a sanitizer build cannot run under an
// address-space limit and keeps no default.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr const char* kDefaultMaxMemory = "none";
#else
inline constexpr const char* kDefaultMaxMemory = "4G";
#endif

// What the user typed; defaults are the documented defaults.
struct RenderArguments {
  std::vector<std::string> inputs;
  std::string output_dir;
  std::string size = "1280x720";
  std::string format = "jpg";
  int quality = 85;
  // Empty: the model's own (a Tilt Brush sketch's environment), else black.
  std::string background;
  std::string camera;  // empty: the asset's own camera, else a 3/4 auto-frame; "{...}": an absolute camera
  std::string up;      // empty: the file's declaration, else its format's convention (STL/3MF/AMF +Z, others +Y)
  int jobs = 0;        // 0: one per CPU core
  std::string timeout = "30s";
  std::string max_memory = kDefaultMaxMemory;
  std::string brush_textures;       // a folder or an http(s) URL prefix; empty: $THUMBGEN_BRUSH_TEXTURES, else none
  std::string brush_texture_cache;  // with a URL prefix; empty: $THUMBGEN_BRUSH_TEXTURE_CACHE, else the default
  std::vector<std::string> allow_hosts;  // `render` only (`work` has its own): hosts a URL prefix may name
  bool json = false;
  bool force = false;
};

struct RenderOptions {
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path output_dir;
  platform::JobOptions job;
  int jobs = 1;
  std::chrono::milliseconds timeout{30'000};
  std::uint64_t max_memory_bytes = 0;  // 0: no limit
  // --brush-textures as a URL prefix (job.brush_texture_folder is then its cache folder); empty: a folder or none.
  std::string brush_texture_prefix;
  std::vector<std::string> allowed_hosts;  // --allow-host and THUMBGEN_ALLOW_HOSTS (`render`)
  bool json = false;
  bool force = false;
};

// Which of `render`'s options a command declares: all of them, or only how to render (`work`, whose models come
// from a server and whose thumbnails go back to it: no inputs, --output, --force; its own --json).
enum class RenderArgumentSet { All, RenderingOnly };

// Declares the options (and with All the positional inputs) of `render` on `command`, bound to `args`.
void add_render_arguments(CLI::App& command, RenderArguments& args, RenderArgumentSet set = RenderArgumentSet::All);

// Validates and parses everything; throws std::invalid_argument with a message naming the option.
RenderOptions resolve_render_options(const RenderArguments& args);

// The parsers, each throwing std::invalid_argument with a user-facing message.
struct ImageSize {
  int width = 0;
  int height = 0;
};
ImageSize parse_image_size(const std::string& text);         // "1280x720"
glm::vec4 parse_background(const std::string& text);         // "#rrggbb", "#rgb", "transparent"
render::CameraAngles parse_camera(const std::string& text);  // "yaw,pitch" or "yaw,pitch,fov" (degrees)
// '{"position":[x,y,z],"target":[x,y,z],"up":[x,y,z],"fov_y_degrees":f}' (the camera `render --json` reports)
render::AbsoluteCamera parse_absolute_camera(const std::string& text);
scene::UpAxis parse_up(const std::string& text);  // "+Y", "+Z"
// "30s", "500ms", "2m", "1.5s", "30" (= s); `option` names the flag in the error message.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& option = "--timeout");
std::uint64_t parse_memory_size(const std::string& text);  // "2G", "512M", "1.5GiB"; "none" → 0
// "2G", "512M", "100K", "1.5GiB", plain bytes; at least `minimum` (a size in the same notation, "" for none).
std::uint64_t parse_byte_size(const std::string& text, const std::string& option, const std::string& minimum);
int default_job_count();  // CPUs this process may run on
// Where fetched brush textures are kept when no cache folder is given: $XDG_CACHE_HOME/thumbgen/brush-textures,
// else ~/.cache/thumbgen/brush-textures.
std::filesystem::path default_brush_texture_cache();

}  // namespace thumbgen::cli
