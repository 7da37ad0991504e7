#include "runner/thumbnail_job.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "platform/egl_context.h"
#include "render/render_settings.h"
#include "render/thumbnail_rules.h"

namespace thumbgen::runner {
namespace {

namespace fs = std::filesystem;

// Temp file + rename in the same folder: a reader (a person, or the worker's parent process uploading it) never
// sees half a thumbnail. No fsync: a thumbnail lost to a power cut is rendered again by the next run.
void write_atomically(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!file.flush()) {
      fs::remove(temp, error);
      throw std::runtime_error("cannot write " + path.string());
    }
  }
  fs::rename(temp, path, error);
  if (error) {
    fs::remove(temp, error);
    throw std::runtime_error("cannot write " + path.string() + ": " + error.message());
  }
}

}  // namespace

RenderProcessSetup thumbnail_job_setup(const platform::JobOptions& job_options, WarmUp warm_up) {
  return [job_options, warm_up]() -> JobFunction {
    platform::tune_malloc_for_software_gl();
    auto pipeline = std::make_shared<platform::ThumbnailPipeline>(
        warm_up == WarmUp::Yes ? std::optional<render::ViewOptions>(job_options.view) : std::nullopt);
    return [pipeline, job_options](const WorkItem& item) {
      platform::JobOptions options = job_options;
      std::vector<std::string> settings_warnings;
      if (!item.settings.empty()) {
        // The server's settings for this asset, over the command line's (read here, in the render process).
        try {
          render::RenderSettings settings =
              render::read_render_settings(nlohmann::json::parse(item.settings), job_options.view);
          options.view = std::move(settings.view);
          settings_warnings = std::move(settings.warnings);
        } catch (const std::exception& error) {
          return WorkOutcome{false, render::bounded_reason(std::string("bad render settings: ") + error.what()), {}};
        }
      }
      platform::JobResult result = pipeline->run(item.input, options);
      result.warnings.insert(result.warnings.begin(), settings_warnings.begin(), settings_warnings.end());
      WorkOutcome outcome{result.ok, result.reason, result.warnings, result.camera_used,
                          render::camera_source_name(result.camera_source)};
      if (result.ok) write_atomically(item.output, result.encoded);
      return outcome;
    };
  };
}

}  // namespace thumbgen::runner
