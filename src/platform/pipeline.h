// One model file → one encoded thumbnail: load (scene) → frame → render → quality gate → encode.
// Holds the GL context and the renderer for a whole batch; one per process.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "render/encode.h"
#include "render/view.h"
#include "scene/load.h"

namespace thumbgen::platform {

struct JobOptions {
  render::ViewOptions view;
  render::ImageFormat format = render::ImageFormat::Jpeg;
  int quality = 85;
  scene::LoadLimits limits;
  // Serves http(s) texture URLs (Tilt Brush brush textures) by file name from this folder; empty: URLs refused.
  std::filesystem::path brush_texture_folder;
};

struct JobResult {
  bool ok = false;
  std::string reason;  // why it failed (without the file name)
  std::vector<std::uint8_t> encoded;
  std::string detected_format;
  std::size_t triangles = 0;
  double load_ms = 0, render_ms = 0, encode_ms = 0;
  std::vector<std::string> warnings;
  std::optional<render::AbsoluteCamera> camera_used;  // once rendered (refused frames too)
  render::CameraSource camera_source = render::CameraSource::Auto;
};

class ThumbnailPipeline {
 public:
  // Creates the EGL context, compiles the programs and warms the driver's shader variants up for this view, so
  // no asset pays for them (nullopt: no warm-up, for a process that renders one model: on llvmpipe without a shader
  // cache, as in a thumbnailer sandbox, warming every variant up takes seconds). Throws std::runtime_error when no
  // context can be made.
  explicit ThumbnailPipeline(const std::optional<render::ViewOptions>& warm_up_view = render::ViewOptions{});
  ~ThumbnailPipeline();
  JobResult run(const std::filesystem::path& model_file, const JobOptions& options);
  // Parse + decode only, no GL (the load-only pass of the benchmark).
  static JobResult load_only(const std::filesystem::path& model_file, const JobOptions& options);
  std::string gpu_description() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace thumbgen::platform
