#include "cli/thumbnail_command.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "cli/render_command.h"
#include "cli/render_options.h"
#include "cli/thumbnail_input.h"
#include "render/render_settings.h"
#include "runner/render_process_pool.h"
#include "runner/thumbnail_job.h"

namespace thumbgen::cli {
namespace fs = std::filesystem;
namespace {

// A model has no aspect ratio of its own and file managers lay thumbnails out in square cells, so a thumbnail is
// square: the auto-framing fits the model into it, and the transparent background lets the file manager's own
// background show around a tall or wide model, so it looks as if cropped to the model's shape.
constexpr int kDefaultSize = 256;  // the freedesktop "large" size; "normal" is 128, "x-large" 512, "xx-large" 1024

constexpr const char* kFooter = R"(
INPUT is a path or a file:// URI (%u in a .thumbnailer file); OUTPUT is written as PNG whatever its name, through a
temporary file beside it, so it is either complete or absent. Nothing is fetched: URLs inside a model are not
followed (Tilt Brush strokes are drawn without their brush textures).
Exit status: 0 written, 1 the model could not be thumbnailed (the reason is printed), 2 usage error (bad size,
unreadable INPUT, OUTPUT's folder not writable), 3 no render process could start (no OpenGL ES 3 context).)";

struct ThumbnailArguments {
  int size = kDefaultSize;
  std::string input;
  std::string output;
  std::string background = "transparent";
  std::string timeout = "30s";
  std::string max_memory = kDefaultMaxMemory;
};

void report(const std::string& message) { std::fprintf(stderr, "thumbgen thumbnail: %s\n", message.c_str()); }

// A new, empty file beside `output` that only this process uses, so a half-written thumbnail never carries
// OUTPUT's name. Throws std::invalid_argument when the folder cannot take it.
fs::path make_temp_beside(const fs::path& output) {
  const fs::path folder = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::string pattern = (folder / ("." + output.filename().string() + ".thumbgen-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    throw std::invalid_argument("cannot write beside OUTPUT in " + folder.string() + ": " + std::strerror(errno));
  }
  ::close(fd);
  return pattern;
}

// Removes the temporary file and what a render process that died while writing it left (its own "<temp>.tmp-PID").
void remove_temp(const fs::path& temp) {
  std::error_code ignored;
  fs::remove(temp, ignored);
  const std::string leftover_prefix = temp.filename().string() + ".tmp-";
  const fs::path folder = temp.has_parent_path() ? temp.parent_path() : fs::path(".");
  for (fs::directory_iterator it(folder, ignored), end; !ignored && it != end; it.increment(ignored)) {
    if (it->path().filename().string().starts_with(leftover_prefix)) fs::remove(it->path(), ignored);
  }
}

// The readable regular file INPUT names; throws std::invalid_argument naming it otherwise.
fs::path readable_model(const std::string& input) {
  const fs::path path = local_path_from_argument(input);
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    throw std::invalid_argument(path.string() + ": " + (fs::exists(path, error) ? "not a file" : "no such file"));
  }
  if (!std::ifstream(path, std::ios::binary)) {
    throw std::invalid_argument(path.string() + ": cannot read: " + std::strerror(errno));
  }
  return path;
}

platform::JobOptions thumbnail_job(const ThumbnailArguments& args) {
  if (args.size < 1 || args.size > render::kMaxRenderDimension) {
    throw std::invalid_argument("-s: expected a size in pixels between 1 and " +
                                std::to_string(render::kMaxRenderDimension) + ", got " + std::to_string(args.size));
  }
  platform::JobOptions job;
  job.view.width = job.view.height = args.size;
  job.view.background = parse_background(args.background);
  // Left unchosen: a model's own backdrop (a Tilt Brush sketch's environment) still replaces the default.
  job.view.background_chosen = args.background != "transparent";
  job.format = render::ImageFormat::Png;
  return job;  // no brush texture folder: URLs inside models are refused, nothing is fetched
}

int run_thumbnail(const ThumbnailArguments& args) {
  platform::JobOptions job;
  fs::path model;
  runner::PoolOptions pool_options;
  try {
    job = thumbnail_job(args);
    model = readable_model(args.input);
    pool_options.timeout = parse_duration(args.timeout);
    pool_options.max_memory_bytes = parse_memory_size(args.max_memory);
  } catch (const std::invalid_argument& error) {
    report(error.what());
    return kExitUsage;
  }
  const fs::path output(args.output);
  fs::path temp;
  try {
    temp = make_temp_beside(output);
  } catch (const std::invalid_argument& error) {
    report(error.what());
    return kExitUsage;
  }

  std::optional<runner::WorkResult> outcome;
  try {
    runner::RenderProcessPool pool(pool_options, runner::thumbnail_job_setup(job, runner::WarmUp::No));
    pool.run({{model.string(), temp.string()}}, [&](const runner::WorkResult& result) { outcome = result; });
  } catch (const runner::RenderProcessStartupError& startup) {
    remove_temp(temp);
    report(std::string("cannot start a render process: ") + startup.what());
    return kExitRendererUnavailable;
  }
  if (!outcome || !outcome->ok) {
    remove_temp(temp);
    report(model.string() + ": " + (outcome ? outcome->reason : std::string("not rendered")));
    return kExitSomeFailed;
  }
  std::error_code error;
  fs::rename(temp, output, error);
  if (error) {
    remove_temp(temp);
    report("cannot write " + output.string() + ": " + error.message());
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

std::function<int()> add_thumbnail_command(CLI::App& app) {
  auto args = std::make_shared<ThumbnailArguments>();
  CLI::App* command =
      app.add_subcommand("thumbnail", "Write one model's thumbnail as a square PNG (the freedesktop thumbnailer call)");
  command->add_option("-s,--size", args->size, "Width and height of the thumbnail in pixels")
      ->capture_default_str()
      ->type_name("SIZE");
  command->add_option("input", args->input, "The model file: a path or a file:// URI")->required()->type_name("INPUT");
  command->add_option("output", args->output, "Where the PNG goes")->required()->type_name("OUTPUT");
  command->add_option("--background", args->background, "Background colour '#rrggbb' or 'transparent'")
      ->capture_default_str()
      ->type_name("COLOUR");
  command->add_option("--timeout", args->timeout, "Time limit, e.g. 30s, 500ms, 2m")
      ->capture_default_str()
      ->type_name("TIME");
  command->add_option("--max-memory", args->max_memory, "Memory the render process may use for the model, e.g. 2G")
      ->capture_default_str()
      ->type_name("SIZE");
  command->footer(kFooter);
  return [args]() { return run_thumbnail(*args); };
}

}  // namespace thumbgen::cli
