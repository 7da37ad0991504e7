#include "platform/pipeline.h"

#include <exception>

#include "platform/brush_texture_folder.h"
#include "platform/egl_context.h"
#include "platform/folder_access.h"
#include "platform/texture_decoder.h"
#include "render/renderer.h"
#include "render/thumbnail_rules.h"

namespace thumbgen::platform {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The brush texture folder, indexed once per process however many models ask for it.
std::shared_ptr<BrushTextureFolder> brush_textures(const JobOptions& options) {
  static std::filesystem::path cached_folder;
  static std::uint64_t cached_limit = 0;
  static std::shared_ptr<BrushTextureFolder> cached;
  if (options.brush_texture_folder.empty()) return nullptr;
  if (!cached || cached_folder != options.brush_texture_folder || cached_limit != options.limits.max_file_bytes) {
    cached = std::make_shared<BrushTextureFolder>(options.brush_texture_folder, options.limits.max_file_bytes);
    cached_folder = options.brush_texture_folder;
    cached_limit = options.limits.max_file_bytes;
  }
  return cached;
}

bool load_into(const std::filesystem::path& model_file, const JobOptions& options, scene::Scene& scene,
               JobResult& result) {
  const auto start = Clock::now();
  try {
    FolderAccess files(model_file.parent_path().empty() ? "." : model_file.parent_path(), options.limits.max_file_bytes,
                       brush_textures(options));
    TextureDecoder decoder;
    scene = scene::load_scene(model_file.filename().string(), files, decoder,
                              render::thumbnail_load_limits(options.limits, options.view));
    result.detected_format = scene.format;
    result.triangles = scene.triangle_count();
    for (const std::string& warning : scene.warnings) result.warnings.push_back(render::bounded_reason(warning));
  } catch (const scene::LoadError& error) {
    result.reason = render::bounded_reason(error.what());
  } catch (const std::bad_alloc&) {
    result.reason = "out of memory while loading";
  } catch (const std::exception& error) {
    result.reason = render::bounded_reason(std::string("load failed: ") + error.what());
  }
  result.load_ms = ms_since(start);
  return result.reason.empty();
}

}  // namespace

struct ThumbnailPipeline::Impl {
  std::unique_ptr<render::GlContext> context = create_egl_context();
  render::Renderer renderer{*context};
};

ThumbnailPipeline::ThumbnailPipeline(const std::optional<render::ViewOptions>& warm_up_view)
    : impl_(std::make_unique<Impl>()) {
  if (warm_up_view) impl_->renderer.warm_up(*warm_up_view);
}
ThumbnailPipeline::~ThumbnailPipeline() = default;

std::string ThumbnailPipeline::gpu_description() const { return impl_->context->description(); }

JobResult ThumbnailPipeline::load_only(const std::filesystem::path& model_file, const JobOptions& options) {
  JobResult result;
  scene::Scene scene;
  result.ok = load_into(model_file, options, scene, result);
  return result;
}

JobResult ThumbnailPipeline::run(const std::filesystem::path& model_file, const JobOptions& options) {
  JobResult result;
  scene::Scene scene;
  if (!load_into(model_file, options, scene, result)) return result;

  try {
    auto start = Clock::now();
    render::Thumbnail thumbnail = render::render_thumbnail(impl_->renderer, scene, options.view);
    result.warnings.insert(result.warnings.end(), thumbnail.warnings.begin(), thumbnail.warnings.end());
    result.render_ms = ms_since(start);
    result.camera_used = thumbnail.camera_used;
    result.camera_source = thumbnail.camera_source;
    if (thumbnail.problem) {
      result.reason = *thumbnail.problem;
      return result;
    }
    start = Clock::now();
    result.encoded = render::encode_image(thumbnail.image, options.format, options.quality);
    result.encode_ms = ms_since(start);
    result.ok = true;
  } catch (const std::bad_alloc&) {
    result.reason = "out of memory while rendering";
  } catch (const std::exception& error) {
    result.reason = render::bounded_reason(std::string("render failed: ") + error.what());
  }
  return result;
}

}  // namespace thumbgen::platform
