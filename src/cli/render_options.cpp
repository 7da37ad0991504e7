#include "cli/render_options.h"

#include <sched.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "render/encode.h"
#include "render/render_settings.h"
#include "util/ascii.h"
#include "worker/fetch_policy.h"

namespace thumbgen::cli {
namespace {

constexpr int kMaxDimension = render::kMaxRenderDimension;
constexpr int kMaxJobs = 256;
constexpr const char* kMinMemory = "64M";

// A whole-string decimal number ("1.5"); nullopt when anything else is there.
std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Splits "30.5s" into ("30.5", "s").
std::pair<std::string_view, std::string> split_unit(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  return {text.substr(0, i), util::to_lower_ascii(text.substr(i))};
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

}  // namespace

ImageSize parse_image_size(const std::string& text) {
  auto parts = split(util::to_lower_ascii(text), 'x');
  ImageSize size;
  if (parts.size() == 2) {
    auto width = parse_number(parts[0]), height = parse_number(parts[1]);
    if (width && height && *width == std::floor(*width) && *height == std::floor(*height) && *width >= 1 &&
        *height >= 1 && *width <= kMaxDimension && *height <= kMaxDimension) {
      return {static_cast<int>(*width), static_cast<int>(*height)};
    }
  }
  fail("--size: expected WIDTHxHEIGHT with each between 1 and " + std::to_string(kMaxDimension) + ", got '" + text +
       "'");
}

glm::vec4 parse_background(const std::string& text) {
  if (auto colour = render::parse_colour(text)) return *colour;
  fail("--background: expected '#rrggbb', '#rgb' or 'transparent', got '" + text + "'");
}

render::CameraAngles parse_camera(const std::string& text) {
  auto parts = split(text, ',');
  std::vector<double> values;
  for (const auto& part : parts) {
    auto value = parse_number(part);
    if (!value) break;
    values.push_back(*value);
  }
  if (values.size() == parts.size() && (values.size() == 2 || values.size() == 3)) {
    render::CameraAngles angles;
    angles.yaw_degrees = static_cast<float>(values[0]);
    angles.pitch_degrees = static_cast<float>(values[1]);
    if (values.size() == 3) angles.vfov_degrees = static_cast<float>(values[2]);
    if (std::abs(values[1]) > 90) fail("--camera: pitch must be between -90 and 90 degrees, got '" + text + "'");
    if (angles.vfov_degrees < 1 || angles.vfov_degrees > 170) {
      fail("--camera: field of view must be between 1 and 170 degrees, got '" + text + "'");
    }
    return angles;
  }
  fail("--camera: expected 'yaw,pitch' or 'yaw,pitch,fov' in degrees, got '" + text + "'");
}

render::AbsoluteCamera parse_absolute_camera(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) fail("--camera: not valid JSON: '" + text + "'");
  return render::camera_from_json(json, "--camera");
}

scene::UpAxis parse_up(const std::string& text) {
  if (auto axis = scene::parse_up_axis(text)) return *axis;
  fail("--up: expected +Y or +Z, got '" + text + "'");
}

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& option) {
  auto [number, unit] = split_unit(text);
  auto value = parse_number(number);
  double scale = unit == "ms" ? 1 : unit == "" || unit == "s" ? 1e3 : unit == "m" || unit == "min" ? 60e3 : 0;
  if (value && scale > 0) {
    double ms = *value * scale;
    if (ms >= 1 && ms <= 24 * 3600e3) return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
  }
  fail(option + ": expected a duration such as '30s', '500ms' or '2m' (at most 24 h), got '" + text + "'");
}

std::uint64_t parse_byte_size(const std::string& text, const std::string& option, const std::string& minimum) {
  const std::uint64_t min_bytes = minimum.empty() ? 0 : parse_byte_size(minimum, option, {});
  std::string value = util::to_lower_ascii(text);
  auto [number, unit] = split_unit(value);
  if (unit.size() == 3 && unit.ends_with("ib")) unit.resize(1);  // "GiB" → "g"
  if (unit.size() == 2 && unit.back() == 'b') unit.resize(1);    // "GB" → "g" (binary units either way)
  auto amount = parse_number(number);
  const std::string units = "bkmgt";
  std::size_t power = unit.empty() ? 0 : units.find(unit);
  if (amount && unit.size() <= 1 && power != std::string::npos) {
    double bytes = *amount * std::pow(1024.0, static_cast<double>(power));
    if (bytes >= static_cast<double>(min_bytes) && bytes < 0x1p62) return static_cast<std::uint64_t>(bytes);
    fail(option + ": at least " + minimum + ", got '" + text + "'");
  }
  fail(option + ": expected a size such as '2G' or '512M', got '" + text + "'");
}

std::uint64_t parse_memory_size(const std::string& text) {
  std::string value = util::to_lower_ascii(text);
  if (value == "none" || value == "unlimited" || value == "0") return 0;
  return parse_byte_size(text, "--max-memory", kMinMemory);
}

int default_job_count() {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
  return std::max(1u, std::thread::hardware_concurrency());
}

void add_render_arguments(CLI::App& command, RenderArguments& args, RenderArgumentSet set) {
  const bool all = set == RenderArgumentSet::All;
  if (all) {
    command.add_option("inputs", args.inputs, "Model files and folders (folders are searched recursively)")
        ->required()
        ->type_name("FILES|DIRS...");
    command.add_option("-o,--output", args.output_dir, "Folder for the thumbnails (created if missing)")
        ->required()
        ->type_name("OUT_DIR");
  }
  command.add_option("--size", args.size, "Thumbnail size in pixels")->capture_default_str()->type_name("WxH");
  command.add_option("--format", args.format, "Image format: jpg, png or webp")
      ->capture_default_str()
      ->type_name("FORMAT");
  command.add_option("--quality", args.quality, "JPEG/WebP quality 1-100")->capture_default_str()->type_name("Q");
  command
      .add_option("--background", args.background,
                  "Background colour '#rrggbb' or 'transparent' (default: the model's own, e.g. a Tilt Brush "
                  "sketch's environment, else #000000)")
      ->type_name("COLOUR");
  command
      .add_option(
          "--camera", args.camera,
          "Camera angles in degrees (default: the model's own camera, else 30,20,45), or an absolute camera "
          "as --json reports it: '{\"position\":[x,y,z],\"target\":[x,y,z],\"up\":[x,y,z],\"fov_y_degrees\":45}'")
      ->type_name("YAW,PITCH[,FOV]|JSON");
  command
      .add_option("--up", args.up,
                  "The models' up axis, for all of them (default: what the file declares, else its format's "
                  "convention: +Z for STL, 3MF and AMF, +Y for the rest); cameras in the model's space are not "
                  "affected")
      ->type_name("+Y|+Z");
  command.add_option("-j,--jobs", args.jobs, "Render processes (default: one per CPU core)")->type_name("N");
  command.add_option("--timeout", args.timeout, "Time limit per model, e.g. 30s, 500ms, 2m")
      ->capture_default_str()
      ->type_name("TIME");
  command
      .add_option("--max-memory", args.max_memory,
                  "Memory one render process may use for a model on top of the renderer's own, e.g. 2G, 512M")
      ->capture_default_str()
      ->type_name("SIZE");
  command
      .add_option("--brush-textures", args.brush_textures,
                  "Tilt Brush / Open Brush brush textures for the texture URLs of exports: a folder (a mirror of the "
                  "brush textures or the Tilt Brush Toolkit's brush folders), or an http(s) URL prefix they are "
                  "fetched from once into --brush-texture-cache (default: $THUMBGEN_BRUSH_TEXTURES)")
      ->type_name("DIR|URL");
  command
      .add_option("--brush-texture-cache", args.brush_texture_cache,
                  "With a URL prefix: where fetched brush textures are kept (default: $THUMBGEN_BRUSH_TEXTURE_CACHE, "
                  "else ~/.cache/thumbgen/brush-textures; for `work` <cache>/brush-textures)")
      ->type_name("DIR");
  if (all) {
    command
        .add_option("--allow-host", args.allow_hosts,
                    "A host a --brush-textures URL prefix may name (repeatable; also THUMBGEN_ALLOW_HOSTS, "
                    "comma-separated): HOST for any port, HOST:PORT for one; loopback/private addresses only by "
                    "address")
        ->type_name("HOST[:PORT]");
    command.add_flag("--json", args.json, "Print one JSON object per model to stdout, then a summary object");
    command.add_flag("--force", args.force, "Render even when the thumbnail is newer than the model");
  }
}

std::filesystem::path default_brush_texture_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "thumbgen" / "brush-textures";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "thumbgen" / "brush-textures";
  return "/tmp/thumbgen-brush-textures";
}

RenderOptions resolve_render_options(const RenderArguments& args) {
  RenderOptions options;
  for (const auto& input : args.inputs) options.inputs.emplace_back(input);
  if (options.inputs.empty()) fail("no model files or folders given");
  if (args.output_dir.empty()) fail("--output: a folder is required");
  options.output_dir = args.output_dir;
  auto size = parse_image_size(args.size);
  options.job.view.width = size.width;
  options.job.view.height = size.height;
  try {
    options.job.format = render::parse_image_format(util::to_lower_ascii(args.format));
  } catch (const std::invalid_argument&) {
    fail("--format: expected jpg, png or webp, got '" + args.format + "'");
  }
  if (args.quality < 1 || args.quality > 100) fail("--quality: expected 1-100, got " + std::to_string(args.quality));
  options.job.quality = args.quality;
  if (!args.background.empty()) {
    options.job.view.background = parse_background(args.background);
    options.job.view.background_chosen = true;
  }
  if (!args.camera.empty()) {
    if (args.camera.front() == '{') {
      options.job.view.saved_camera = parse_absolute_camera(args.camera);
    } else {
      options.job.view.camera = parse_camera(args.camera);
    }
  }
  if (!args.up.empty()) options.job.view.up = parse_up(args.up);
  if (args.jobs < 0 || args.jobs > kMaxJobs) {
    fail("--jobs: expected 1-" + std::to_string(kMaxJobs) + ", got " + std::to_string(args.jobs));
  }
  options.jobs = args.jobs == 0 ? default_job_count() : args.jobs;
  options.timeout = parse_duration(args.timeout);
  options.max_memory_bytes = parse_memory_size(args.max_memory);
  std::string brush_textures = args.brush_textures;
  if (const char* from_env = std::getenv("THUMBGEN_BRUSH_TEXTURES"); brush_textures.empty() && from_env)
    brush_textures = from_env;
  std::error_code ec;
  if (brush_textures.find("://") != std::string::npos) {
    // A URL prefix: checked against the allowed hosts by the command (it knows its own), fetched into the cache.
    options.brush_texture_prefix = brush_textures;
    std::string cache = args.brush_texture_cache;
    if (const char* from_env = std::getenv("THUMBGEN_BRUSH_TEXTURE_CACHE"); cache.empty() && from_env) cache = from_env;
    options.job.brush_texture_folder =
        std::filesystem::absolute(cache.empty() ? default_brush_texture_cache() : std::filesystem::path(cache), ec);
  } else if (!brush_textures.empty()) {
    if (!std::filesystem::is_directory(brush_textures, ec)) fail("--brush-textures: not a folder: " + brush_textures);
    options.job.brush_texture_folder = std::filesystem::absolute(brush_textures, ec);
  }
  options.allowed_hosts = worker::allowed_hosts_from(args.allow_hosts, std::getenv("THUMBGEN_ALLOW_HOSTS"));
  options.json = args.json;
  options.force = args.force;
  return options;
}

}  // namespace thumbgen::cli
