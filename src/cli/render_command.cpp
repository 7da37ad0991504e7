#include "cli/render_command.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <system_error>

#include "cli/brush_texture_prefetch.h"
#include "cli/file_walk.h"
#include "runner/progress.h"
#include "runner/render_process_pool.h"
#include "runner/thumbnail_job.h"
#include "worker/compat_references.h"

namespace thumbgen::cli {
namespace fs = std::filesystem;
namespace {

// After "Folders are searched recursively for model files (" + model_extensions_text().
constexpr const char* kRenderFooter = R"(),
skipping hidden files and folders; side files (.bin, textures, .mtl) are not models.
The thumbnail of FOLDER/cars/a.glb is OUT_DIR/cars/a.glb.jpg; of a file given by name, OUT_DIR/a.glb.jpg.
A model is skipped when its thumbnail is newer than it (use --force to render it anyway).
Each render process handles one model at a time: a crash, --timeout or --max-memory fails only that model.
--json prints {"file","status":"ok|failed|skipped","ms","reason"?,"output"?,"warnings"?,"camera"?,"camera_source"?}
per model to stdout, then {"summary":{...}}; "camera" is the camera used, {"position","target","up","fov_y_degrees"}
in the model's space, which --camera takes back as it is.
Exit status: 0 all rendered or skipped, 1 some model failed, 2 usage error, 3 no render process could start
(no OpenGL ES 3 context), 130 interrupted.)";

std::atomic<runner::RenderProcessPool*> g_running_pool{nullptr};

void on_stop_signal(int) {
  if (runner::RenderProcessPool* pool = g_running_pool.load()) pool->request_stop();
}

// Installs SIGINT/SIGTERM handlers that stop `pool` for as long as it lives; restores the old ones after.
class StopSignals {
 public:
  explicit StopSignals(runner::RenderProcessPool& pool) {
    g_running_pool = &pool;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;  // no SA_RESTART: poll() must wake up
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    g_running_pool = nullptr;
  }

 private:
  struct sigaction previous_int_ {
  }, previous_term_{};
};

bool up_to_date(const ModelFile& model) {
  std::error_code error;
  auto output_time = fs::last_write_time(model.output, error);
  if (error) return false;
  auto model_time = fs::last_write_time(model.source, error);
  return !error && output_time >= model_time;
}

}  // namespace

int run_render(const RenderOptions& options) {
  // A brush texture URL prefix: its host is checked now, before any model (brush_texture_prefetch.h).
  std::unique_ptr<BrushTexturePrefetch> prefetch;
  if (!options.brush_texture_prefix.empty()) {
    try {
      prefetch = std::make_unique<BrushTexturePrefetch>(options);
    } catch (const std::exception& refused) {
      std::fprintf(stderr, "thumbgen render: %s\n", refused.what());
      return kExitUsage;
    }
  }
  std::error_code error;
  fs::create_directories(options.output_dir, error);
  if (error || !fs::is_directory(options.output_dir)) {
    std::fprintf(stderr, "thumbgen render: cannot create output folder %s: %s\n", options.output_dir.c_str(),
                 error ? error.message().c_str() : "not a folder");
    return kExitUsage;
  }
  auto models = collect_model_files(options.inputs, options.output_dir, render::file_extension(options.job.format));
  runner::Progress progress(models.size(), ::isatty(STDERR_FILENO) == 1, options.json);
  if (models.empty()) progress.note("no model files found");

  // Largest files first: a big model started last would leave the other render processes idle at the end.
  std::vector<std::pair<std::uintmax_t, const ModelFile*>> by_size;
  for (const auto& model : models) {
    if (!model.problem.empty()) {
      progress.record({model.name, runner::AssetStatus::Failed, 0, model.problem, {}, {}});
    } else if (!options.force && up_to_date(model)) {
      progress.record(
          {model.name, runner::AssetStatus::Skipped, 0, "thumbnail is up to date", model.output.string(), {}});
    } else {
      std::error_code ignored;
      const std::uintmax_t size = std::filesystem::file_size(model.source, ignored);
      by_size.emplace_back(ignored ? 0 : size, &model);
    }
  }
  std::stable_sort(by_size.begin(), by_size.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<runner::WorkItem> items;
  std::vector<const ModelFile*> item_models;
  for (const auto& [size, model] : by_size) {
    items.push_back({model->source.string(), model->output.string()});
    item_models.push_back(model);
  }

  runner::PoolOptions pool_options;
  pool_options.processes = options.jobs;
  pool_options.timeout = options.timeout;
  pool_options.max_memory_bytes = options.max_memory_bytes;
  // One process alone keeps llvmpipe's own threads.
  if (std::min<std::size_t>(options.jobs, items.size()) > 1) pool_options.one_core_per_process();
  pool_options.keep_idle_processes = prefetch != nullptr;  // they find the brush textures, then render
  runner::RenderProcessPool pool(
      pool_options, prefetch ? worker::worker_job_setup(options.job) : runner::thumbnail_job_setup(options.job));
  std::size_t not_started = 0;
  try {
    StopSignals stop_signals(pool);
    if (prefetch && !items.empty()) {
      for (const std::string& warning : prefetch->run(pool, items)) progress.note("thumbgen render: " + warning);
    }
    not_started = pool.run(items, [&](const runner::WorkResult& result) {
      const ModelFile& model = *item_models[result.index];
      progress.record({model.name, result.ok ? runner::AssetStatus::Ok : runner::AssetStatus::Failed, result.ms,
                       result.reason, result.ok ? model.output.string() : std::string(), result.warnings,
                       result.ok ? result.camera : std::nullopt, result.ok ? result.camera_source : std::string()});
    });
  } catch (const runner::RenderProcessStartupError& startup) {
    progress.note(std::string("thumbgen render: cannot start a render process: ") + startup.what());
    return kExitRendererUnavailable;
  }
  runner::Summary summary = progress.finish(not_started, pool.stop_requested());
  if (summary.interrupted) return kExitInterrupted;
  if (summary.failed > 0) return kExitSomeFailed;
  return kExitOk;
}

std::function<int()> add_render_command(CLI::App& app) {
  auto args = std::make_shared<RenderArguments>();
  CLI::App* command = app.add_subcommand("render", "Render thumbnails of model files and folders");
  add_render_arguments(*command, *args);
  command->footer("\nFolders are searched recursively for model files (" + model_extensions_text() + kRenderFooter);
  return [args]() {
    RenderOptions options;
    try {
      options = resolve_render_options(*args);
    } catch (const std::invalid_argument& error) {
      std::fprintf(stderr, "thumbgen render: %s\nRun with --help for more information.\n", error.what());
      return kExitUsage;
    }
    return run_render(options);
  };
}

}  // namespace thumbgen::cli
