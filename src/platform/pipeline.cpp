#include "platform/pipeline.h"

#include <algorithm>
#include <bit>
#include <exception>

#include "platform/egl_context.h"
#include "platform/folder_access.h"
#include "platform/texture_decoder.h"
#include "render/framing.h"
#include "render/quality_gate.h"
#include "render/renderer.h"

namespace thumbgen::platform {
namespace {

using Clock = std::chrono::steady_clock;

// An authored view whose content spans less than this fraction of the frame (both ways) is re-framed.
constexpr float kSmallAuthoredView = 0.4f;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Library messages may quote their input (a JSON parse error quotes the last token read: a truncated data URI is
// megabytes), while a reason is one line of a log, a JSON record and a catalogue field. Cut on a UTF-8 boundary.
constexpr std::size_t kMaxMessageBytes = 300;
std::string bounded(std::string message) {
  if (message.size() <= kMaxMessageBytes) return message;
  std::size_t end = kMaxMessageBytes;
  while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
  message.resize(end);
  return message + "...";
}

// A thumbnail never needs textures much larger than itself: half the next power of two above the output's
// larger side (1024 for 1280×720), never below 512 nor above the caller's limit.
scene::LoadLimits limits_for(const JobOptions& options) {
  scene::LoadLimits limits = options.limits;
  const unsigned side = static_cast<unsigned>(std::max({options.view.width, options.view.height, 1}));
  const int wanted = std::max(512, static_cast<int>(std::bit_ceil(side) / 2));
  limits.max_texture_dimension = std::min(limits.max_texture_dimension, wanted);
  return limits;
}

// The brush texture folder, indexed once per process however many models ask for it.
std::shared_ptr<FolderAccess> brush_textures(const JobOptions& options) {
  static std::filesystem::path cached_folder;
  static std::uint64_t cached_limit = 0;
  static std::shared_ptr<FolderAccess> cached;
  if (options.brush_texture_folder.empty()) return nullptr;
  if (!cached || cached_folder != options.brush_texture_folder || cached_limit != options.limits.max_file_bytes) {
    cached = std::make_shared<FolderAccess>(options.brush_texture_folder, options.limits.max_file_bytes);
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
    scene = scene::load_scene(model_file.filename().string(), files, decoder, limits_for(options));
    result.detected_format = scene.format;
    result.triangles = scene.triangle_count();
    for (const std::string& warning : scene.warnings) result.warnings.push_back(bounded(warning));
  } catch (const scene::LoadError& error) {
    result.reason = bounded(error.what());
  } catch (const std::bad_alloc&) {
    result.reason = "out of memory while loading";
  } catch (const std::exception& error) {
    result.reason = bounded(std::string("load failed: ") + error.what());
  }
  result.load_ms = ms_since(start);
  return result.reason.empty();
}

}  // namespace

struct ThumbnailPipeline::Impl {
  std::unique_ptr<render::GlContext> context = create_egl_context();
  render::Renderer renderer{*context};
};

ThumbnailPipeline::ThumbnailPipeline(const render::ViewOptions& warm_up_view) : impl_(std::make_unique<Impl>()) {
  impl_->renderer.warm_up(warm_up_view);
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
    render::RenderResult rendered = impl_->renderer.render(scene, options.view);
    std::optional<std::string> problem =
        render::check_quality(rendered.image, options.view.background, {.check_clipping = !rendered.authored_camera});
    if (rendered.authored_camera) {
      const float aspect = static_cast<float>(options.view.width) / static_cast<float>(options.view.height);
      const render::ContentBox box = render::content_box(rendered.image, options.view.background);
      const bool small = !box.empty && std::max(box.right - box.left, box.bottom - box.top) < kSmallAuthoredView;
      if (problem || small) {
        // The asset's own camera shows nothing useful (looking away, inside the model) or leaves the model
        // tiny: frame the model ourselves, from the author's direction when it is visible at all.
        const render::ViewCamera camera = problem ? render::auto_frame(scene, render::kDefaultAngles, aspect)
                                                  : render::auto_frame_along(scene, scene.cameras.front(), aspect);
        rendered.image = impl_->renderer.render_with_camera(scene, camera, options.view);
        problem = render::check_quality(rendered.image, options.view.background, {.check_clipping = true});
        result.warnings.push_back(small ? "the asset's own camera left the model small; re-framed along it"
                                        : "the asset's own camera showed nothing useful; auto-framed instead");
      }
    }
    result.render_ms = ms_since(start);
    if (problem) {
      result.reason = *problem;
      return result;
    }
    start = Clock::now();
    result.encoded = render::encode_image(rendered.image, options.format, options.quality);
    result.encode_ms = ms_since(start);
    result.ok = true;
  } catch (const std::bad_alloc&) {
    result.reason = "out of memory while rendering";
  } catch (const std::exception& error) {
    result.reason = bounded(std::string("render failed: ") + error.what());
  }
  return result;
}

}  // namespace thumbgen::platform
